// CPU time used by this benchmark's own process tree (the Chromium it launched, the server it
// forked), per process kind and thread, from Linux's /proc. A benchmark on a 2-core machine that
// is CPU-bound shows it here: the seconds of CPU its processes used against the cores' seconds
// available in the same wall time. Elsewhere (no /proc) it measures nothing and says so.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** CPU ticks per thread ("pid/tid"), with the kind of process and the thread's name. */
export type CpuSnapshot = Map<string, { group: string; ticks: number }>;

export interface CpuUse {
  /** Seconds of CPU per group ("browser: IndexedDB and other pool threads", …), largest first. */
  groups: { group: string; seconds: number }[];
  seconds: number;
}

/** Fields after the command name in /proc/<pid>/stat (the name may hold spaces and parentheses). */
function statFields(path: string): { name: string; fields: string[] } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), fields: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
  } catch {
    return null; // the process or thread ended meanwhile
  }
}

/** Processes below `root` (children, grandchildren…), from each process's parent in /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(`/proc/${entry}/stat`);
    if (stat) parents.set(Number(entry), Number(stat.fields[1]));
  }
  const below = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!below.has(pid) && (parent === root || below.has(parent))) {
        below.add(pid);
        grew = true;
      }
    }
  }
  return [...below];
}

/** What a process of the tree is: Chromium's browser, a renderer, another of its processes, or a Node one (the server). */
function processKind(pid: number): string | null {
  let command: string;
  try {
    command = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return null;
  }
  const executable = command.split(' ')[0] ?? '';
  if (/chrom/i.test(executable)) {
    const type = /--type=(\S+)/.exec(command)?.[1];
    return type === undefined ? 'browser' : type === 'renderer' ? 'renderer' : 'chromium other';
  }
  if (/node/.test(executable)) return 'server';
  return null;
}

/** The group a thread's time is counted in: where IndexedDB runs, the page's main thread, the IPC threads… */
function groupOf(kind: string, pid: number, tid: number, thread: string): string {
  if (kind === 'browser' && thread.startsWith('ThreadPool')) return 'browser: pool threads (IndexedDB runs here)';
  if (thread === 'Chrome_IOThread' || thread === 'Chrome_ChildIOT') return `${kind}: IPC thread`;
  if (kind === 'renderer' && pid === tid) return 'renderer: main thread (the page)';
  if (kind === 'renderer' && /Worker/i.test(thread)) return 'renderer: workers';
  if (kind === 'server') return 'sync server (Node)';
  return `${kind}: other threads`;
}

export function cpuSupported(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Every thread of this process's descendants (not this process: the benchmark's own driving is left out). */
export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  if (!cpuSupported()) return snapshot;
  for (const pid of descendants(process.pid)) {
    const kind = processKind(pid);
    if (!kind) continue;
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${String(pid)}/task`);
    } catch {
      continue;
    }
    for (const tid of threads) {
      const stat = statFields(`/proc/${String(pid)}/task/${tid}/stat`);
      // utime and stime, the 14th and 15th fields of stat (the 12th and 13th after the name).
      if (stat) snapshot.set(`${String(pid)}/${tid}`, { group: groupOf(kind, pid, Number(tid), stat.name), ticks: Number(stat.fields[11]) + Number(stat.fields[12]) });
    }
  }
  return snapshot;
}

/** CPU used since `before`, per group; threads that began since count from zero. */
export function cpuSince(before: CpuSnapshot): CpuUse {
  const ticks = new Map<string, number>();
  for (const [key, now] of cpuSnapshot()) {
    const used = now.ticks - (before.get(key)?.ticks ?? 0);
    if (used > 0) ticks.set(now.group, (ticks.get(now.group) ?? 0) + used);
  }
  const perSecond = clockTicks();
  const groups = [...ticks].map(([group, used]) => ({ group, seconds: used / perSecond })).sort((a, b) => b.seconds - a.seconds);
  return { groups, seconds: groups.reduce((sum, g) => sum + g.seconds, 0) };
}

/** "9.8 s of CPU in 5.1 s on 2 cores (96 % busy): browser: pool threads 5.2 s, …" */
export function describeCpu(use: CpuUse, wallMs: number, cores: number): string {
  if (use.groups.length === 0) return 'CPU not measured (no /proc here)';
  const busy = (use.seconds / ((wallMs / 1000) * cores)) * 100;
  return `${use.seconds.toFixed(1)} s of CPU in ${(wallMs / 1000).toFixed(1)} s on ${String(cores)} cores (${busy.toFixed(0)} % busy): ${use.groups
    .filter((g) => g.seconds >= 0.05)
    .map((g) => `${g.group} ${g.seconds.toFixed(1)} s`)
    .join(', ')}`;
}
