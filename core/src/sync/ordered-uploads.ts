// Keeps a desk's uploads in the order they were handed over. RxDB (17.6) sends the batches of a
// backlog side by side and retries each failed one on its own, so a later batch (a void) could
// reach the server before an earlier one (its payment) and be refused as "not recorded". Here
// each upload waits until every earlier one has been stored; a retried upload (the same rows
// again, as RxDB retries) keeps its place, so the ones behind it wait for the retry too.

export interface OrderedUploads<R> {
  /** Runs `send` for these rows once every upload handed over before them has been stored. */
  upload<A>(rows: readonly R[], send: () => Promise<A>): Promise<A>;
  /** Uploads handed over and not yet stored (failed ones keep their place until retried). */
  waiting(): number;
}

interface Place {
  key: string;
  stored: Promise<void>;
  markStored(): void;
}

/** `keyOf` names a set of rows the same way each time it is retried (ids and versions). */
export function orderedUploads<R>(keyOf: (rows: readonly R[]) => string): OrderedUploads<R> {
  const places: Place[] = [];
  const placeOf = (key: string): Place => {
    const found = places.find((place) => place.key === key);
    if (found) return found;
    let markStored = (): void => undefined;
    const stored = new Promise<void>((resolve) => {
      markStored = resolve;
    });
    const place = { key, stored, markStored };
    places.push(place);
    return place;
  };
  return {
    async upload(rows, send) {
      const place = placeOf(keyOf(rows));
      await Promise.all(places.slice(0, places.indexOf(place)).map((earlier) => earlier.stored));
      // A failure leaves the place where it is: the retry of these rows goes before the ones behind.
      const answer = await send();
      const index = places.indexOf(place);
      if (index >= 0) places.splice(index, 1);
      place.markStored();
      return answer;
    },
    waiting: () => places.length,
  };
}
