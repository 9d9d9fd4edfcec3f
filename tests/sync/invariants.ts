// The invariants checked after every run, once the network has healed and every desk has
// synced: each payment a desk took (and each ledger entry the server acknowledged) is on the
// server exactly once and on every desk; every replica equals the server; each desk's receipt
// series arrived whole; and nothing the desks saw on the way broke a rule (checkpoints moving
// back, duplicates refused), as written down in the run's journal.
import { canonicalJson, withoutReplicationFields } from '@feemaster/core';
import type { Desk } from './desk-client.ts';
import type { RunJournal } from './run-journal.ts';
import { readServerCollection, type ServerCollection } from './school.ts';

const canonical = (doc: Record<string, unknown>): string => canonicalJson(withoutReplicationFields(doc));
const SHOWN = 5;

export async function checkInvariants(input: { journal: RunJournal; desks: readonly Desk[]; baseUrl: string; ownerToken: string }): Promise<string[]> {
  const { journal, desks } = input;
  const failures = [...journal.violations];
  const students = await readServerCollection(input.baseUrl, input.ownerToken, 'students', canonical);
  const ledger = await readServerCollection(input.baseUrl, input.ownerToken, 'ledger', canonical);
  for (const [name, collection] of [['students', students], ['ledger', ledger]] as const) {
    if (collection.repeated.length > 0) failures.push(`the server's ${name} feed returned ${collection.repeated.slice(0, SHOWN).join(', ')} more than once`);
  }

  const lostAcks = [...journal.acknowledged].filter((id) => !ledger.live.has(id));
  if (lostAcks.length > 0) failures.push(`${String(lostAcks.length)} acknowledged ledger entries are not on the server: ${lostAcks.slice(0, SHOWN).join(', ')}`);

  // Receipts as the server holds them, per receipt number (two ids with one number would be a duplicate payment).
  const receipts = new Map<string, string[]>();
  for (const doc of ledger.docs) {
    if (doc.type !== 'payment') continue;
    const number = String(doc.receiptNumber);
    receipts.set(number, [...(receipts.get(number) ?? []), String(doc.id)]);
  }
  const duplicated = [...receipts].filter(([, ids]) => ids.length > 1);
  if (duplicated.length > 0) failures.push(`receipt numbers stored more than once: ${duplicated.slice(0, SHOWN).map(([n, ids]) => `${n} (${ids.join(', ')})`).join('; ')}`);
  const missing = [...journal.taken].filter(([id]) => !ledger.live.has(id));
  if (missing.length > 0) {
    failures.push(`${String(missing.length)} payments taken on desks never reached the server: ${missing.slice(0, SHOWN).map(([id, p]) => `${p.receiptNumber} (${id})`).join(', ')}`);
  }
  const stray = [...receipts].filter(([, ids]) => ids.some((id) => !journal.taken.has(id)));
  if (stray.length > 0) failures.push(`the server holds payments no desk took: ${stray.slice(0, SHOWN).map(([n]) => n).join(', ')}`);

  for (const desk of desks) {
    // A checkpoint the server handed out and no longer reaches means its feed went back.
    for (const [name, collection] of [['students', students], ['ledger', ledger]] as const) {
      if (desk.highest[name] > collection.checkpoint) {
        failures.push(`${desk.name} was given ${name} checkpoint ${String(desk.highest[name])} but the server's feed now ends at ${String(collection.checkpoint)}`);
      }
    }
    const replica = await desk.snapshot();
    failures.push(...compare(`${desk.name} students`, replica.students, students));
    failures.push(...compare(`${desk.name} ledger`, replica.ledger, ledger));
  }
  return failures;
}

function compare(what: string, replica: ReadonlyMap<string, string>, collection: ServerCollection): string[] {
  const server = collection.live;
  const missing = [...server.keys()].filter((id) => !replica.has(id));
  const extra = [...replica.keys()].filter((id) => !server.has(id));
  const differ = [...server].filter(([id, json]) => replica.has(id) && replica.get(id) !== json);
  const failures: string[] = [];
  if (missing.length > 0) failures.push(`${what}: ${String(missing.length)} documents on the server are missing: ${missing.slice(0, SHOWN).join(', ')}`);
  for (const id of extra.slice(0, SHOWN)) {
    const deleted = collection.docs.find((doc) => doc.id === id);
    failures.push(`${what}: ${id} is not on the server${deleted ? ' (deleted there)' : ''}\n  desk:   ${replica.get(id) ?? ''}${deleted ? `\n  server: ${canonical(deleted)}` : ''}`);
  }
  for (const [id, json] of differ.slice(0, SHOWN)) failures.push(`${what}: ${id} differs\n  desk:   ${replica.get(id) ?? ''}\n  server: ${json}`);
  return failures;
}
