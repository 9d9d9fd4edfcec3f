import { describe, expect, it } from 'vitest';
import { inSlices, takeTurn } from './slices.ts';

describe('inSlices', () => {
  it('maps in order, with the index, letting the event loop run between slices of a hundred', async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    let firstIndexAfterIt: number | null = null;
    const out = await inSlices(items, (item, index) => {
      if (immediateRan && firstIndexAfterIt === null) firstIndexAfterIt = index;
      return item * 2;
    });
    expect(out).toEqual(items.map((i) => i * 2));
    // Work queued before the call ran after the first slice, not after all of them.
    expect(firstIndexAfterIt).toBe(100);
    expect(await inSlices([], () => 1)).toEqual([]);
  });
});

describe('takeTurn', () => {
  it('gives turns of one key in the order they were asked for, each after the one before ends', async () => {
    const order: string[] = [];
    const first = await takeTurn('school-a');
    const second = takeTurn('school-a').then((end) => {
      order.push('second');
      return end;
    });
    const other = await takeTurn('school-b'); // another key does not wait
    order.push('other school');
    await Promise.resolve();
    expect(order).toEqual(['other school']);
    first();
    first(); // ending twice is harmless
    const endSecond = await second;
    expect(order).toEqual(['other school', 'second']);
    const third = takeTurn('school-a').then((end) => {
      order.push('third');
      return end;
    });
    endSecond();
    (await third)();
    other();
    expect(order).toEqual(['other school', 'second', 'third']);
  });
});
