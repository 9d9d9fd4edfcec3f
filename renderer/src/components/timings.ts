// User Timing marks of what a cashier waits for (a keystroke's results, opening a family, a
// payment's commit, the desk being ready), read by `npm run bench:desk` and the browser's
// performance tools. Marks are cheap; nothing is sent anywhere.

export type DeskTiming = 'find' | 'family-open' | 'payment-commit';

const PREFIX = 'feemaster:';

export function startTiming(name: DeskTiming): void {
  performance.mark(`${PREFIX}${name}:start`);
}

/** Ends the latest start of `name` once the browser has painted what changed. */
export function endTimingAfterPaint(name: DeskTiming): void {
  requestAnimationFrame(() => endTiming(name));
}

export function endTiming(name: DeskTiming): void {
  if (performance.getEntriesByName(`${PREFIX}${name}:start`, 'mark').length === 0) return;
  performance.measure(`${PREFIX}${name}`, `${PREFIX}${name}:start`);
}

/** Steps of opening the desk, for finding where a slow start goes. */
export function markStep(step: 'database-open' | 'sync-started' | 'people-read'): void {
  if (performance.getEntriesByName(`${PREFIX}${step}`, 'mark').length === 0) performance.mark(`${PREFIX}${step}`);
}

/** Once per page: the desk can take its first search (students and families indexed). */
export function markDeskReady(): void {
  if (performance.getEntriesByName(`${PREFIX}desk-ready`, 'mark').length === 0) performance.mark(`${PREFIX}desk-ready`);
}
