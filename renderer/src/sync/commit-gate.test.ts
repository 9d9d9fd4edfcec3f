import { describe, expect, it } from 'vitest';
import { afterCommits, asCommit } from './commit-gate.ts';

describe('bookkeeping after an upload', () => {
  it('goes at once when no payment is being written, and after the last one being written otherwise, failed or not', async () => {
    const order: string[] = [];
    await afterCommits().then(() => order.push('idle'));
    let endFirst: () => void = () => undefined;
    let failSecond: (error: Error) => void = () => undefined;
    const first = asCommit(() => new Promise<void>((resolve) => (endFirst = resolve))).then(() => order.push('first written'));
    const second = asCommit(() => new Promise<void>((_, reject) => (failSecond = reject))).catch(() => order.push('second failed'));
    const bookkeeping = afterCommits().then(() => order.push('bookkeeping'));
    endFirst();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['idle', 'first written']);
    failSecond(new Error('refused'));
    await Promise.all([second, bookkeeping]);
    expect(order.slice(0, 2)).toEqual(['idle', 'first written']);
    expect(order.slice(2).sort()).toEqual(['bookkeeping', 'second failed']);
  });
});
