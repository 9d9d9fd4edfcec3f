// Holds the desk's uploads while an import (or a bulk change) is being written, so no document of
// it reaches the server before the write has finished or been undone: the replica has no
// transaction across writes, and a cancel undoes what was written. What was undone is withdrawn:
// the upload drops those states (and the removals that undid them) instead of sending them.

export interface UploadHold {
  /** Holds every upload from now until the returned write is released (several may overlap). */
  begin(): HeldWrite;
  /** For the push handler: waits while any write is held, then keeps the rows that may still go. */
  admit<R>(rows: readonly R[], state: (row: R) => UploadState): Promise<R[]>;
  /** Told when a hold starts (true) and when the last one ends (false); returns the unsubscribe. */
  watch(listener: (held: boolean) => void): () => void;
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
  const listeners = new Set<(held: boolean) => void>();
  const tell = (state: boolean): void => {
    for (const listener of listeners) listener(state);
  };
  return {
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    begin() {
      if (held === 0) {
        released = new Promise((resolve) => (open = resolve));
        tell(true);
      }
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
          if (held === 0) {
            open();
            tell(false);
          }
        },
      };
    },
    async admit(rows, state) {
      while (held > 0) await released;
      return withdrawn.size === 0 ? [...rows] : rows.filter((row) => !isWithdrawn(state(row)));
    },
  };
}

/** What pauseWhileHeld needs of an RxDB replication (RxReplicationState). */
export interface PausableReplication {
  /** Set once the replication has started (RxDB leaves it unset in a tab that is not the leader). */
  internalReplicationState?: unknown;
  isStoppedOrPaused(): boolean;
  pause(): Promise<unknown>;
  start(): Promise<unknown>;
}

/**
 * Pauses the replication's uploads while the hold is on, and resumes it after. Paused, RxDB's
 * upload skips the replica's change events instead of reading each written document's last
 * uploaded state, alongside the write, for an upload that has to wait anyway (about a second of
 * a 15,000-document import); resumed, it uploads everything written since its checkpoint, in
 * batches read from the replica, as after a restart. Downloads go on meanwhile. Only a
 * replication running in this tab is paused, and only what it paused is resumed.
 */
export function pauseWhileHeld(hold: UploadHold, replication: PausableReplication): () => void {
  let paused = false;
  return hold.watch((held) => {
    if (held && !paused && replication.internalReplicationState !== undefined && !replication.isStoppedOrPaused()) {
      paused = true;
      void replication.pause();
    } else if (!held && paused) {
      paused = false;
      void replication.start();
    }
  });
}
