// One seeded run: a plan drawn from the seed (how many desks, their clock skew, batch sizes,
// duplicate pushes, offline periods, connection faults, and the episodes), played against the
// real server through one fault proxy per desk, then the network heals, every desk syncs and
// the invariants are checked.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../../sync-server/src/db/client.ts';
import { openDesk, type Desk } from './desk-client.ts';
import type { DeskIdentity, DeskTiming, StreamMode } from './desk-replication.ts';
import { startFaultProxy, type FaultProxy, type OfflineMode } from './fault-proxy.ts';
import { checkInvariants } from './invariants.ts';
import { createPrng, type Prng } from './prng.ts';
import { createRunJournal, type RunJournal } from './run-journal.ts';
import { MAX_DESKS, type School } from './school.ts';
import type { TransactionGate } from './transaction-gate.ts';
import { killDuringPush, overlappingPushes } from './episodes.ts';

export interface ServerUnderTest {
  kind: 'pglite' | 'postgres';
  /** Where the proxies forward to; changes when a killed server is started again. */
  port(): number;
  /** Direct address, for reading what the server holds. */
  url(): string;
  /** In-process server: holds push transactions open (the overlap episode). */
  gate?: TransactionGate;
  database?: Database;
  /** Child-process server: SIGKILL and start again on the same data. */
  restart?: { kill(): Promise<void>; start(): Promise<void> };
}

export interface RunOptions {
  /** Chance that a run includes the overlapping-pushes episode (needs `gate`). */
  overlapRate: number;
  /** Server kills per run (needs `restart`). */
  kills: number;
}

interface DeskPlan {
  identity: DeskIdentity;
  prng: Prng;
  clockSkewMs: number;
  pullBatchSize: number;
  pushBatchSize: number;
  repeatRate: number;
  twinRate: number;
  stream: StreamMode;
  timing: DeskTiming;
  faultRate: number;
  offline: { from: number; to: number; mode: OfflineMode }[];
  cutAt: Set<number>;
}

export interface RunPlan {
  seed: number;
  steps: number;
  desks: DeskPlan[];
  overlapAt: number | null;
  killAt: number[];
  /** Steps where every desk edits the same student at once (concurrent edits, conflicts). */
  contended: Set<number>;
  pauses: number[];
}

const DAY_MS = 86_400_000;

export function planRun(seed: number, school: School, options: RunOptions): RunPlan {
  const prng = createPrng(seed);
  const plan = prng.fork('plan');
  const deskCount = plan.pick([2, 2, 2, 3, 3, 4]);
  const steps = plan.int(3, 10);
  const desks = school.desks.slice(0, deskCount).map((identity, i): DeskPlan => {
    const d = prng.fork(`desk${String(i)}`);
    const offline: DeskPlan['offline'] = [];
    for (let n = d.int(0, 2); n > 0; n--) {
      const from = d.int(0, steps - 1);
      offline.push({ from, to: from + d.int(1, Math.max(1, Math.floor(steps / 2))), mode: d.chance(0.7) ? 'refuse' : 'blackhole' });
    }
    const cutAt = new Set<number>();
    for (let n = d.int(0, 2); n > 0; n--) cutAt.add(d.int(0, steps - 1));
    return {
      identity,
      prng: d.fork('actions'),
      clockSkewMs: d.chance(0.75) ? d.int(-DAY_MS, DAY_MS) : 0,
      pullBatchSize: d.pick([5, 50, 200]),
      pushBatchSize: d.pick([1, 5, 5, 25, 100]),
      repeatRate: d.pick([0, 0.1, 0.3]),
      twinRate: d.pick([0, 0.1, 0.25]),
      stream: d.pick(['multiplexed', 'multiplexed', 'per-collection', 'per-collection', 'none'] as const),
      timing: { retryMs: d.int(10, 80), backoffBaseMs: d.int(5, 40), backoffMaxMs: 300, requestTimeoutMs: d.int(3_000, 8_000) },
      faultRate: d.pick([0, 0.15, 0.35, 0.6]),
      offline,
      cutAt,
    };
  });
  const overlapAt = plan.chance(options.overlapRate) ? plan.int(0, steps - 1) : null;
  const killAt = Array.from({ length: options.kills }, (_, k) => Math.floor(((k + 1) * steps) / (options.kills + 1)));
  const pauses = Array.from({ length: steps }, () => (plan.chance(0.3) ? plan.int(10, 60) : plan.int(0, 8)));
  const contended = new Set(Array.from({ length: steps }, (_, step) => step).filter(() => plan.chance(0.2)));
  return { seed, steps, desks, overlapAt, killAt, contended, pauses };
}

export interface RunContext {
  plan: RunPlan;
  server: ServerUnderTest;
  school: School;
  journal: RunJournal;
  desks: Desk[];
  proxies: FaultProxy[];
  offline: (OfflineMode | null)[];
  /** A desk without a live stream that pulls only when told (overlap episode). */
  observer: Desk | null;
  prng: Prng;
}

export async function runScenario(seed: number, server: ServerUnderTest, school: School, options: RunOptions): Promise<{ journal: RunJournal; failures: string[] }> {
  const plan = planRun(seed, school, options);
  const journal = createRunJournal();
  // Unique per attempt so a seed can run twice in one process; no run choice depends on it.
  const runId = `${seed.toString(36)}x${Date.now().toString(36)}`;
  const proxies: FaultProxy[] = [];
  const desks: Desk[] = [];
  let observer: Desk | null = null;
  try {
    for (const deskPlan of plan.desks) {
      const proxy = await startFaultProxy({ targetPort: server.port(), prng: deskPlan.prng.fork('proxy'), faultRate: deskPlan.faultRate });
      proxy.setFaults(true);
      proxies.push(proxy);
    }
    const offline: (OfflineMode | null)[] = plan.desks.map(() => null);
    for (const [i, deskPlan] of plan.desks.entries()) {
      const proxy = proxies[i];
      if (!proxy) throw new Error('a desk has no proxy');
      desks.push(
        await openDesk({
          identity: deskPlan.identity,
          runId,
          schoolId: school.schoolId,
          currency: school.currency,
          serverUrl: proxy.url,
          clockSkewMs: deskPlan.clockSkewMs,
          prng: deskPlan.prng,
          journal,
          timing: deskPlan.timing,
          pullBatchSize: deskPlan.pullBatchSize,
          pushBatchSize: deskPlan.pushBatchSize,
          repeatRate: deskPlan.repeatRate,
          twinRate: deskPlan.twinRate,
          stream: deskPlan.stream,
          online: () => offline[i] === null,
          payerIds: school.payerIds,
        }),
      );
    }
    if (plan.overlapAt !== null) {
      const identity = school.desks[MAX_DESKS - 1];
      const proxy = await startFaultProxy({ targetPort: server.port(), prng: createPrng(seed).fork('observer'), faultRate: 0 });
      proxies.push(proxy);
      if (!identity) throw new Error('the school has no desk left for the observer');
      observer = await openDesk({
        identity: { ...identity, name: 'observer' },
        runId,
        schoolId: school.schoolId,
        currency: school.currency,
        serverUrl: proxy.url,
        clockSkewMs: 0,
        prng: createPrng(seed).fork('observer-desk'),
        journal,
        timing: { retryMs: 20, backoffBaseMs: 10, backoffMaxMs: 100, requestTimeoutMs: 60_000 },
        pullBatchSize: 200,
        pushBatchSize: 100,
        repeatRate: 0,
        twinRate: 0,
        stream: 'none',
        online: () => true,
        payerIds: school.payerIds,
      });
    }
    const ctx: RunContext = { plan, server, school, journal, desks, proxies, offline, observer, prng: createPrng(seed).fork('episodes') };
    const all = observer ? [...desks, observer] : desks;
    let failures: string[];
    try {
      await playSteps(ctx);
      await withDeadline('every desk syncing after the network healed', SETTLE_DEADLINE_MS, healAndSettle(ctx));
      failures = await checkInvariants({ journal, desks: all, baseUrl: server.url(), ownerToken: school.ownerToken });
    } catch (error) {
      // A run that hangs or breaks is reported like a failed invariant, with what was seen.
      failures = [...journal.violations, `the run stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
    }
    if (failures.length > 0) {
      failures.push(describeRun(plan, desks, journal));
      // SYNC_TRACE=<dir> keeps every desk's full trace of a failing run.
      const traceDir = process.env.SYNC_TRACE;
      if (traceDir) {
        await mkdir(traceDir, { recursive: true });
        const file = join(traceDir, `seed-${String(seed)}.txt`);
        await writeFile(file, [...failures, ...all.flatMap((desk) => [`== ${desk.name}`, ...desk.trace])].join('\n'));
        failures.push(`trace written to ${file}`);
      }
    }
    return { journal, failures };
  } finally {
    for (const desk of observer ? [...desks, observer] : desks) await desk.stop();
    for (const proxy of proxies) await proxy.close();
  }
}

async function playSteps(ctx: RunContext): Promise<void> {
  const { plan, journal, desks, proxies, offline } = ctx;
  for (let step = 0; step < plan.steps; step++) {
    plan.desks.forEach((deskPlan, i) => {
      const period = deskPlan.offline.find((p) => p.from <= step && step < p.to);
      const mode = period?.mode ?? null;
      if (mode !== offline[i]) {
        if (mode) journal.count('offlinePeriods');
        offline[i] = mode;
        proxies[i]?.setOffline(mode);
      }
      if (deskPlan.cutAt.has(step)) proxies[i]?.cutAll();
    });
    if (plan.contended.has(step)) await Promise.all(desks.map((desk) => desk.editStudent('first')));
    await Promise.all(desks.map((desk, i) => act(desk, plan.desks[i]?.prng)));
    if (step === plan.overlapAt) await overlappingPushes(ctx);
    if (plan.killAt.includes(step)) await killDuringPush(ctx);
    await sleep(plan.pauses[step] ?? 0);
  }
}

/** What a failing run's report adds: each desk's plan and its last pulls, and the run's counts. */
function describeRun(plan: RunPlan, desks: readonly Desk[], journal: RunJournal): string {
  const lines = [`plan: ${String(plan.steps)} steps, overlap at ${String(plan.overlapAt)}, kills at [${plan.killAt.join(', ')}]`];
  plan.desks.forEach((d, i) => {
    const { identity: _identity, prng: _prng, cutAt, ...rest } = d;
    lines.push(`${d.identity.name}: ${JSON.stringify({ ...rest, cutAt: [...cutAt] })}`);
    for (const pull of desks[i]?.pulls.slice(-8) ?? []) lines.push(`  pull ${pull.collection} ${String(pull.from)} -> ${String(pull.to)}: ${String(pull.ids.length)} docs`);
  });
  lines.push(`counts: ${JSON.stringify(Object.fromEntries(journal.counts))}`);
  return lines.join('\n');
}

async function act(desk: Desk, prng: Prng | undefined): Promise<void> {
  if (!prng) throw new Error('a desk has no plan');
  const roll = prng.next();
  if (roll < 0.35) {
    for (let n = prng.chance(0.15) ? prng.int(2, 4) : 1; n > 0; n--) await desk.takePayment();
  } else if (roll < 0.45) {
    await desk.admitStudent();
  } else if (roll < 0.7) {
    if (!(await desk.editStudent())) await desk.admitStudent();
  } else if (roll < 0.73) {
    await desk.removeStudent();
  } else if (roll < 0.78) {
    await desk.voidPayment();
  }
}

/** The network heals: no more faults, nothing offline, and dead connections are dropped. */
export function heal(ctx: Pick<RunContext, 'proxies' | 'offline'>): void {
  for (const proxy of ctx.proxies) {
    proxy.setOffline(null);
    proxy.setFaults(false);
    proxy.cutAll();
  }
  ctx.offline.fill(null);
}

/** Heals the network, lets every desk push what it has, then has every desk pull once more. */
export async function healAndSettle(ctx: Pick<RunContext, 'proxies' | 'offline' | 'desks' | 'observer'>): Promise<void> {
  heal(ctx);
  const all = ctx.observer ? [...ctx.desks, ctx.observer] : ctx.desks;
  await Promise.all(all.map((desk) => desk.awaitInSync()));
  for (const desk of all) desk.reSync();
  await Promise.all(all.map((desk) => desk.awaitInSync()));
}

/** Liveness guards only (a run that never settles is a failure), never a speed requirement. */
export const SETTLE_DEADLINE_MS = 60_000;

export async function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} had not finished after ${String(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
