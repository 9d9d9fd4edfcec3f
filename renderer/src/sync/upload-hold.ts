// Holds the desk's uploads while an import (or a bulk change) is being written, so no document of
// it reaches the server before the write has finished or been undone: the replica has no
// transaction across writes, and a cancel undoes what was written. What was undone is withdrawn:
// the upload drops those states (and the removals that undid them) instead of sending them.

export interface UploadHold {
  /** Holds every upload from now until the returned write is released (several may overlap). */
  begin(): HeldWrite;
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

export function createUploadHold(): UploadHold {
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
  return {
    begin() {
      if (held === 0) released = new Promise((resolve) => (open = resolve));
      held += 1;
      let done = false;
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
          held -= 1;
          if (held === 0) open();
        },
      };
    },
    async admit(rows, state) {
      while (held > 0) await released;
      return withdrawn.size === 0 ? [...rows] : rows.filter((row) => !isWithdrawn(state(row)));
    },
  };
}
