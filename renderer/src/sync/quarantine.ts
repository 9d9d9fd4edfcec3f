// Documents the server refused for good (a rule they break, a role that may not write them):
// held aside with the server's reason, shown to the person at the desk, and never blocking the
// documents queued behind them. Saving a corrected version releases the entry. Kept in an RxDB
// local document, so the list survives a reload.
import type { RxCollection } from 'rxdb';
import { map, type Observable } from 'rxjs';
import { localDocument$ } from '../db/local-document.ts';
import type { ErrorBody } from '@feemaster/core';
import { ApiError } from '../api/client.ts';

export interface QuarantinedDocument {
  id: string;
  /** The version the server refused; a later edit of the document is pushed again. */
  updatedAt: string;
  /** What the person calls it: "Student Amani Otieno (ADM-104)". */
  label: string;
  reason: string;
  at: string;
}

interface QuarantineData {
  entries: QuarantinedDocument[];
}

const LOCAL_ID = 'quarantine';

export interface Quarantine {
  hold(entries: readonly QuarantinedDocument[]): Promise<void>;
  /** Drops the entries of documents the server has now accepted. */
  release(ids: readonly string[]): Promise<void>;
  entries$: Observable<readonly QuarantinedDocument[]>;
}

export async function createQuarantine(collection: RxCollection): Promise<Quarantine> {
  if (!(await collection.getLocal<QuarantineData>(LOCAL_ID))) await collection.insertLocal<QuarantineData>(LOCAL_ID, { entries: [] });
  /** Changes the list; `unless` skips the write when the list as read needs no change. */
  const modify = async (change: (entries: QuarantinedDocument[]) => QuarantinedDocument[], unless?: (entries: readonly QuarantinedDocument[]) => boolean): Promise<void> => {
    const doc = await collection.getLocal<QuarantineData>(LOCAL_ID);
    if (!doc || unless?.(doc.toJSON().data.entries)) return;
    await doc.incrementalModify((data) => ({ ...data, entries: change([...data.entries]) }));
  };
  return {
    hold: (held) => modify((entries) => [...entries.filter((e) => !held.some((h) => h.id === e.id)), ...held]),
    // Every upload releases what it carried; most carry nothing held, and then nothing is written.
    release: (ids) =>
      modify(
        (entries) => entries.filter((e) => !ids.includes(e.id)),
        (entries) => !entries.some((e) => ids.includes(e.id)),
      ),
    entries$: localDocument$<QuarantineData>(collection, LOCAL_ID).pipe(map((doc) => doc?.toJSON().data.entries ?? [])),
  };
}

/** Refusals about the documents themselves; anything else (offline, signed out, 5xx) is retried. */
export function isFatalRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 422 || error.status === 403);
}

/**
 * The rows a fatal refusal names (by id, or by position in the upload), each with its reason;
 * empty when the refusal names none.
 */
export function refusedRows<R extends { newDocumentState: { id: string } }>(error: ApiError, rows: readonly R[]): { row: R; reason: string }[] {
  const problems: NonNullable<ErrorBody['problems']> = error.problems;
  const refused = new Map<R, string[]>();
  for (const problem of problems) {
    const row = problem.id !== undefined ? rows.find((r) => r.newDocumentState.id === problem.id) : problem.index !== undefined ? rows[problem.index] : undefined;
    if (!row) continue;
    refused.set(row, [...(refused.get(row) ?? []), problem.message]);
  }
  return [...refused].map(([row, messages]) => ({ row, reason: `The server refused it: ${messages.join('; ')}. Correct it and save it again; this desk's other changes were saved.` }));
}
