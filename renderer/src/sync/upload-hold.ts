// Holds the desk's uploads while an import (or a bulk change) is being written, so no document of
// it reaches the server before the write has finished or been undone: the replica has no
// transaction across writes, and a cancel undoes what was written. What was undone is withdrawn:
// the upload drops those states (and the removals that undid them) instead of sending them.
//
// Uploads run in one tab of the desk (RxDB's leader), which need not be the tab writing the
// import. So a held write also holds a shared Web Lock named after the desk's database, and an
// upload waits for that lock too: in any tab, for every tab's held writes. The browser lets go of
// a tab's locks when the tab closes or crashes, so a lost tab holds nothing. What another tab
// withdrew is not known here: its undone documents then reach the server in their final state (a
// removal, or the state before the write), never part-way through the write.

export interface UploadHold {
  /**
   * Holds every upload from now until the returned write is released (several may overlap): in
   * this tab at once, in the desk's other tabs once the promise resolves (write after that).
   */
  begin(): Promise<HeldWrite>;
  /** For the push handler: waits while any write is held, then keeps the rows that may still go. */
  admit<R>(rows: readonly R[], state: (row: R) => UploadState): Promise<R[]>;
}

export interface HeldWrite {
  /** These states were undone: their uploads, and the removals that undid a created one (`created`), are dropped. */
  withdraw(states: readonly { id: string; version: string; created?: boolean }[]): void;
  /** Lets uploads go again (once every held write is released). Safe to call twice. */
  release(): void;
}

export interface UploadState {
  id: string;
  version: string;
  deleted: boolean;
}

/** What the hold needs of the Web Locks API (navigator.locks). */
export type Locks = Pick<LockManager, 'request'>;

export interface UploadHoldOptions {
  /** The lock shared by the desk's tabs: one per desk database. */
  lockName?: string;
  /** The browser's Web Locks (null where there are none: uploads then wait for this tab's writes only). */
  locks?: Locks | null;
}

/** The Web Locks of this page, where it has them (a secure context: the desk app, https or localhost). */
function pageLocks(): Locks | null {
  return (globalThis.navigator as Navigator | undefined)?.locks ?? null;
}

export function createUploadHold({ lockName = 'feemaster-upload-hold', locks = pageLocks() }: UploadHoldOptions = {}): UploadHold {
  let held = 0;
  let released: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  /** Document id → versions withdrawn. Kept for the session: a withdrawn state is never uploaded later either. */
  const withdrawn = new Map<string, Set<string>>();
  /** Documents the undone write created: the server never had them, so no removal of them goes either. */
  const neverSent = new Set<string>();
  const isWithdrawn = ({ id, version, deleted }: UploadState): boolean => {
    if (deleted && neverSent.has(id)) return true;
    // A document the write only changed may still be removed later for real: only the undone versions are dropped.
    return withdrawn.get(id)?.has(version) === true;
  };
  /** Resolves once this tab holds the shared lock; its release lets go of it. */
  const holdShared = async (): Promise<() => void> => {
    if (locks === null) return () => undefined;
    let letGo = (): void => undefined;
    const kept = new Promise<void>((resolve) => (letGo = resolve));
    await new Promise<void>((granted, refused) => {
      locks.request(lockName, { mode: 'shared' }, () => {
        granted();
        return kept;
      }).catch(refused);
    });
    return letGo;
  };
  return {
    async begin() {
      if (held === 0) released = new Promise((resolve) => (open = resolve));
      held += 1;
      let done = false;
      const letGo = await holdShared().catch((error: unknown) => {
        held -= 1;
        if (held === 0) open();
        throw error;
      });
      return {
        withdraw(states) {
          for (const { id, version, created } of states) {
            if (created === true) neverSent.add(id);
            const versions = withdrawn.get(id) ?? new Set<string>();
            versions.add(version);
            withdrawn.set(id, versions);
          }
        },
        release() {
          if (done) return;
          done = true;
          letGo();
          held -= 1;
          if (held === 0) open();
        },
      };
    },
    async admit(rows, state) {
      for (;;) {
        while (held > 0) await released;
        // Every tab's held writes released: the exclusive lock is granted only once no tab holds it shared.
        if (locks !== null) await locks.request(lockName, { mode: 'exclusive' }, () => undefined);
        if (held === 0) break;
      }
      return withdrawn.size === 0 ? [...rows] : rows.filter((row) => !isWithdrawn(state(row)));
    },
  };
}
