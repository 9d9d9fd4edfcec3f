// Work over a large upload in slices, with a turn of the event loop between them: an upload that
// holds its school's lock gets its database answers handled while another one is being prepared,
// instead of waiting for all of it. (One process serves every request; a long synchronous loop
// would hold up the lock holder, and so every upload queued behind it.)

const SLICE = 100;

/** `items.map(work)`, a hundred at a time with a turn of the event loop between slices. */
export async function inSlices<T, R>(items: readonly T[], work: (item: T, index: number) => R): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(items.length, start + SLICE);
    for (let index = start; index < end; index += 1) out.push(work(items[index] as T, index));
  }
  return out;
}

const turns = new Map<string, Promise<void>>();

/**
 * Waits for this process's earlier holders of `key` to finish, and resolves with the release of
 * this turn (safe to call twice). Uploads of one school are prepared one at a time: uploads that
 * arrive together would otherwise be prepared side by side, slice by slice, and all finish late,
 * while the school's lock waits for the first of them.
 */
export async function takeTurn(key: string): Promise<() => void> {
  const previous = turns.get(key) ?? Promise.resolve();
  let release: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const queued = previous.then(() => mine);
  turns.set(key, queued);
  void queued.then(() => {
    if (turns.get(key) === queued) turns.delete(key);
  });
  await previous;
  return release;
}
