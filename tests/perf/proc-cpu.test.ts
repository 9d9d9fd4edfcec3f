import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuSince, cpuSnapshot, describeCpu } from './proc-cpu.ts';

describe('the CPU of the benchmark’s process tree', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('counts a child process’s work, from the snapshot on, and nothing of an idle one', async () => {
    // A Node child that waits for a line, then spins for 400 ms of its own CPU time (however busy the
    // machine is), says so and waits again.
    const spinner = "process.stdin.on('data', () => { const from = process.cpuUsage(); let used = 0; while (used < 400_000) { const d = process.cpuUsage(from); used = d.user + d.system; } process.stdout.write('spun\\n'); });";
    child = spawn(process.execPath, ['-e', spinner], { stdio: ['pipe', 'pipe', 'inherit'] });
    const said = (): Promise<void> => new Promise((resolve) => child?.stdout?.once('data', () => resolve()));
    const spin = async (): Promise<void> => {
      const answer = said();
      child?.stdin?.write('go\n');
      await answer;
    };
    await spin(); // started and compiled: what came before the snapshot is not counted
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = cpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cpuSince(before).seconds).toBeLessThan(0.1);
    const beforeSpin = cpuSnapshot();
    await spin();
    const used = cpuSince(beforeSpin);
    const server = used.groups.find((g) => g.group === 'sync server (Node)');
    expect(server?.seconds).toBeGreaterThanOrEqual(0.3);
    expect(server?.seconds).toBeLessThan(0.8);
    expect(used.seconds).toBeCloseTo(used.groups.reduce((sum, g) => sum + g.seconds, 0), 6);
  });

  it('describes the use against the cores’ seconds', () => {
    const use = { groups: [{ group: 'browser: pool threads (IndexedDB runs here)', seconds: 5.1 }, { group: 'sync server (Node)', seconds: 0.02 }], seconds: 5.12 };
    expect(describeCpu(use, 4000, 2)).toBe('5.1 s of CPU in 4.0 s on 2 cores (64 % busy): browser: pool threads (IndexedDB runs here) 5.1 s');
    expect(describeCpu({ groups: [], seconds: 0 }, 4000, 2)).toBe('CPU not measured (no /proc here)');
  });
});
