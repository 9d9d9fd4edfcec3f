import { describe, expect, it } from 'vitest';
import { orderedUploads } from './ordered-uploads.ts';

/** A send whose answer the test gives when it chooses. */
function controllable(log: string[], name: string): { send: () => Promise<string>; succeed(): void; fail(): void } {
  let settle: (ok: boolean) => void = () => undefined;
  const outcome = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  return {
    send: async () => {
      log.push(`${name} sent`);
      if (!(await outcome)) throw new Error(`${name} failed`);
      return name;
    },
    succeed: () => settle(true),
    fail: () => settle(false),
  };
}

/** Lets every promise callback that can run, run. */
async function ticks(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

describe('ordered uploads', () => {
  it('sends a later upload only once the earlier one is stored', async () => {
    const log: string[] = [];
    const gate = orderedUploads<string>((rows) => rows.join(','));
    const payment = controllable(log, 'payment');
    const voidEntry = controllable(log, 'void');
    const first = gate.upload(['p1'], payment.send);
    const second = gate.upload(['v1'], voidEntry.send);
    await ticks();
    expect(log).toEqual(['payment sent']);
    payment.succeed();
    voidEntry.succeed();
    await expect(first).resolves.toBe('payment');
    await expect(second).resolves.toBe('void');
    expect(log).toEqual(['payment sent', 'void sent']);
    expect(gate.waiting()).toBe(0);
  });

  it('keeps a failed upload in front: the one behind waits for its retry', async () => {
    const log: string[] = [];
    const gate = orderedUploads<string>((rows) => rows.join(','));
    const attempt = controllable(log, 'payment attempt 1');
    const first = gate.upload(['p1'], attempt.send);
    const behind = controllable(log, 'void');
    const second = gate.upload(['v1'], behind.send);
    attempt.fail();
    await expect(first).rejects.toThrow('payment attempt 1 failed');
    await ticks();
    expect(log).toEqual(['payment attempt 1 sent']);
    expect(gate.waiting()).toBe(2);

    // RxDB retries the same rows: they keep their place ahead of the void.
    const retry = controllable(log, 'payment attempt 2');
    const retried = gate.upload(['p1'], retry.send);
    await ticks();
    expect(log).toEqual(['payment attempt 1 sent', 'payment attempt 2 sent']);
    retry.succeed();
    behind.succeed();
    await expect(retried).resolves.toBe('payment attempt 2');
    await expect(second).resolves.toBe('void');
    expect(log.at(-1)).toBe('void sent');
  });

  it('lets uploads with nothing in front go at once', async () => {
    const log: string[] = [];
    const gate = orderedUploads<string>((rows) => rows.join(','));
    const only = controllable(log, 'only');
    const pending = gate.upload(['a', 'b'], only.send);
    await ticks();
    expect(log).toEqual(['only sent']);
    only.succeed();
    await expect(pending).resolves.toBe('only');
  });
});
