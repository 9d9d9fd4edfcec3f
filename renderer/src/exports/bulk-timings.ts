// User Timing marks of the bulk import and export, read by `npm run bench:import` and the
// browser's performance tools; named like the desk's other marks (components/timings.ts).
// Marks are cheap; nothing is sent anywhere.

export type BulkStep =
  /** Export clicked. */
  | 'export:start'
  /** The documents read from the replica. */
  | 'export:rows'
  /** The worker has built the rows from them. */
  | 'export:built'
  /** The worker has written the last byte of the file. */
  | 'export:written'
  /** The file handed to the browser's download. */
  | 'export:saved'
  /** A spreadsheet chosen. */
  | 'import:chosen'
  /** What the worker needs of the school gathered, and the file posted to it. */
  | 'import:posted'
  /** The plan back from the worker (detail: the worker's own reading and planning, in ms). */
  | 'import:received'
  /** Its preview on screen (read and checked in the worker). */
  | 'import:planned'
  /** Import clicked. */
  | 'import:commit'
  /** Every change written to the replica. */
  | 'import:written';

const PREFIX = 'feemaster:';

/** The first step of each piece of work: marking it clears that work's earlier marks, so each run reads alone. */
const FIRST_STEPS: Readonly<Record<string, readonly BulkStep[]>> = {
  'export:start': ['export:start', 'export:rows', 'export:built', 'export:written', 'export:saved'],
  'import:chosen': ['import:chosen', 'import:posted', 'import:received', 'import:planned', 'import:commit', 'import:written'],
};

/** `detail`: durations measured elsewhere (the export worker's own share), kept with the mark. */
export function markBulkStep(step: BulkStep, detail?: Readonly<Record<string, number>>): void {
  for (const earlier of FIRST_STEPS[step] ?? []) performance.clearMarks(`${PREFIX}${earlier}`);
  performance.mark(`${PREFIX}${step}`, detail === undefined ? undefined : { detail });
}
