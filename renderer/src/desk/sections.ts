// Which sections of the desk a role may open, read from the core permission table so that the
// navigation never offers a screen the server would refuse.
import { mayPerform, mayRecord, referenceKinds, refusalToWrite, type Role, type SessionKind } from '@feemaster/core';

export type DeskSection = 'cashier' | 'students' | 'families' | 'invoices' | 'setup' | 'audit' | 'desks' | 'staff' | 'conflicts';

/** Whoever may write some reference data (years, classes, fee rules…) or fee structures sets the school up. */
export function maySetUp(role: Role, session: SessionKind = 'online'): boolean {
  const mayWrite = (collection: string, doc: Record<string, unknown>): boolean => refusalToWrite(role, collection, doc, session) === null;
  return Object.keys(referenceKinds).some((kind) => mayWrite('reference', { kind })) || mayWrite('feeStructures', {});
}

/** The desk's sections in the order the navigation shows them, with who may open each. */
const sectionRules: readonly { section: DeskSection; mayOpen: (role: Role, session: SessionKind) => boolean }[] = [
  // Whoever may take payments gets the till first: it is where a cashier spends the day.
  { section: 'cashier', mayOpen: (role) => mayRecord(role, 'payment') },
  // Every role reads the register (the auditor too); what each may change is decided per action.
  { section: 'students', mayOpen: () => true },
  // Families are read by everyone; the front desk may add one (the permission table decides).
  { section: 'families', mayOpen: () => true },
  // Term invoicing is the bursar's: whoever may record invoices, capped like the server caps offline sessions.
  { section: 'invoices', mayOpen: (role, session) => refusalToWrite(role, 'ledger', { type: 'invoice' }, session) === null },
  { section: 'setup', mayOpen: maySetUp },
  { section: 'audit', mayOpen: (role, session) => mayPerform(role, 'audit.read', session) },
  // Auditors look at desks and staff too; what they may change is decided on each screen.
  { section: 'desks', mayOpen: (role, session) => mayPerform(role, 'devices.view', session) },
  { section: 'staff', mayOpen: (role, session) => mayPerform(role, 'users.view', session) },
  { section: 'conflicts', mayOpen: (role, session) => mayPerform(role, 'sync.conflicts', session) },
];

/** An offline session (signed in on the desk itself) is capped like the server caps it. */
export function deskSections(role: Role, session: SessionKind = 'online'): DeskSection[] {
  return sectionRules.filter((rule) => rule.mayOpen(role, session)).map((rule) => rule.section);
}

export const sectionTitles: Readonly<Record<DeskSection, string>> = {
  cashier: 'Take payments',
  students: 'Students',
  families: 'Families',
  invoices: 'Term invoices',
  setup: 'Setup',
  audit: 'Audit trail',
  desks: 'Desks',
  staff: 'Staff',
  conflicts: 'Sync conflicts',
};

/** Where the desk opens: a cashier at the till, everyone else at the students register. */
export function defaultSection(role: Role, sections: readonly DeskSection[]): DeskSection {
  const wanted: DeskSection = role === 'cashier' ? 'cashier' : 'students';
  return sections.includes(wanted) ? wanted : (sections[0] ?? 'students');
}
