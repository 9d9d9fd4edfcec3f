// The documents an export needs, read from the desk's replica on the screen's thread (RxDB lives
// there) as plain objects for the export worker. Works offline: only the cashiers' names come
// from the server, when it can be reached, and the export goes on without them otherwise.
import { mayPerform, type ExportKind, type ExportSource, type LedgerEntry, type Payer, type ReferenceDoc, type Student } from '@feemaster/core';
import { createAdminApi } from '../api/admin-api.ts';
import { isOfflineSession } from '../api/session.ts';
import { ledgerEntryOf } from '../db/ledger-keys.ts';
import type { Desk } from '../desk/open-desk.ts';
import { exportNeeds } from './export-build.ts';

export interface ReplicaRead {
  source: ExportSource;
  /** Said beside the finished export when cashiers are named by their user id (no staff list). */
  staffNote: string | null;
  /** Milliseconds spent querying the replica, and turning its documents into plain objects (for the benchmark). */
  timings: { queryMs: number; plainMs: number };
}

/** How long the staff list may take before the export goes on without it. */
const STAFF_LIST_WAIT_MS = 4_000;

export async function readExportSource(desk: Desk, kind: ExportKind): Promise<ReplicaRead> {
  const needs = exportNeeds[kind];
  const { db } = desk;
  const started = performance.now();
  const ledgerQuery = needs.ledger === 'none' ? null : needs.ledger === 'all' ? db.ledger.find() : db.ledger.find({ selector: { type: { $in: [...needs.ledger] } } });
  const [students, payers, reference, ledger, staff] = await Promise.all([
    needs.students ? db.students.find().exec() : [],
    needs.payers ? db.payers.find().exec() : [],
    needs.reference.length > 0 ? db.reference.find({ selector: { kind: { $in: [...needs.reference] } } }).exec() : [],
    ledgerQuery ? ledgerQuery.exec() : [],
    needs.staffNames ? staffNames(desk) : { names: new Map<string, string>(), note: null },
  ]);
  const queried = performance.now();
  const source: ExportSource = {
    students: students.map((doc) => doc.toJSON() as Student),
    payers: payers.map((doc) => doc.toJSON() as Payer),
    reference: reference.map((doc) => doc.toJSON() as ReferenceDoc),
    ledger: ledger.map((doc): LedgerEntry => ledgerEntryOf(doc)),
    staffNames: staff.names,
  };
  return { source, staffNote: staff.note, timings: { queryMs: queried - started, plainMs: performance.now() - queried } };
}

/**
 * Staff names by user id: the signed-in person always; everyone else from the server's staff
 * list when this person may read it and the server answers in time.
 */
async function staffNames(desk: Desk): Promise<{ names: Map<string, string>; note: string | null }> {
  const { user } = desk.session;
  const names = new Map([[user.id, user.displayName]]);
  const withoutList = 'Cashiers other than you are shown by their user id';
  if (!mayPerform(user.role, 'users.view', isOfflineSession(desk.session) ? 'offline' : 'online')) {
    return { names, note: `${withoutList}: only an owner, admin or auditor may read the staff list.` };
  }
  if (!navigator.onLine) return { names, note: `${withoutList}: the staff list comes from the server, and this desk is offline.` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the server did not answer in time')), STAFF_LIST_WAIT_MS);
    });
    const members = await Promise.race([createAdminApi(desk.session.serverUrl, desk.tokens).members(), late]);
    for (const member of members) names.set(member.userId, member.displayName);
    return { names, note: null };
  } catch (error) {
    return { names, note: `${withoutList}: the staff list could not be read (${error instanceof Error ? error.message : String(error)}).` };
  } finally {
    clearTimeout(timer);
  }
}
