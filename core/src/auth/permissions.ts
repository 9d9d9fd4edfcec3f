// Who may record what. One table read by the server (every pushed document) and by the desk
// (what it offers), so the two can never disagree. Issue-by-issue it grows to every action.
import type { Role } from '../api/auth.ts';
import type { LedgerEntryType } from '../fees/ledger.ts';
import type { ReferenceKind } from '../fees/reference.ts';

const managers: readonly Role[] = ['owner', 'admin', 'bursar'];
const everyone: readonly Role[] = ['owner', 'admin', 'bursar', 'cashier'];

/** Roles that may create each kind of ledger entry. */
export const ledgerPermissions: Readonly<Record<LedgerEntryType, readonly Role[]>> = {
  invoice: managers,
  discount: managers,
  fine: managers,
  waiver: managers,
  writeOff: ['owner', 'admin'],
  payment: everyone,
  creditApplication: everyone,
  // A cashier voids within their own open cash session; that limit is checked with the session.
  void: everyone,
  chequeReturn: managers,
  refund: managers,
  // Whoever takes payments opens and closes the till they take them in.
  cashSessionOpen: everyone,
  cashSessionClose: everyone,
};

const actionNames: Readonly<Record<LedgerEntryType, string>> = {
  invoice: 'issue invoices',
  discount: 'give discounts or concessions',
  fine: 'charge late fees',
  waiver: 'waive late fees',
  writeOff: 'write off fees',
  payment: 'take payments',
  creditApplication: 'apply credit',
  void: 'void payments',
  chequeReturn: 'record returned cheques',
  refund: 'record refunds',
  cashSessionOpen: 'open a till',
  cashSessionClose: 'close a till',
};

export function mayRecord(role: Role, type: LedgerEntryType): boolean {
  return ledgerPermissions[type].includes(role);
}

/** Null when allowed; otherwise the sentence to show ("A cashier cannot record refunds; …"). */
export function refusalToRecord(role: Role, type: LedgerEntryType): string | null {
  if (mayRecord(role, type)) return null;
  const who = ledgerPermissions[type].join(', ');
  return `${withArticle(role)} cannot ${actionNames[type]}; ask someone with one of these roles: ${who}`;
}

const admins: readonly Role[] = ['owner', 'admin'];

/** Roles that may create or change master data; the auditor only reads. */
export const masterDataPermissions = {
  // The front desk admits walk-in students and updates a guardian's phone number.
  students: everyone,
  payers: everyone,
  feeStructures: managers,
} as const satisfies Readonly<Record<string, readonly Role[]>>;

/** Reference data per kind: settings, offices and devices belong to the school's admins. */
export const referencePermissions: Readonly<Record<ReferenceKind, readonly Role[]>> = {
  settings: admins,
  office: admins,
  device: admins,
  academicYear: managers,
  term: managers,
  class: managers,
  feeCategory: managers,
  studentCategory: managers,
  discountRule: managers,
  lateFeeRule: managers,
};

const masterDataNames: Readonly<Record<keyof typeof masterDataPermissions | 'reference', string>> = {
  students: 'add or change students',
  payers: 'add or change payers',
  feeStructures: 'change fee structures',
  reference: 'change school settings',
};

/**
 * Null when `role` may write this document of `collection`; otherwise the sentence to show.
 * Ledger entries are judged by their type, reference data by its kind.
 */
export function refusalToWrite(role: Role, collection: string, doc: Record<string, unknown>, session: SessionKind = 'online'): string | null {
  const own = refusalToWriteAs(role, collection, doc);
  if (own !== null || session === 'online') return own;
  return refusalToWriteAs(OFFLINE_SESSION_CEILING, collection, doc) === null ? null : offlineRefusal(role);
}

/**
 * A session opened on a desk without the server (password checked against the desk's local
 * verifier) is capped at what a cashier may do: fee setup, refunds and desk or staff
 * administration wait until the person signs in online with their password. (A refund may still
 * be recorded in one with a manager's approval typed on the desk: see refund-approval.ts.)
 */
export const OFFLINE_SESSION_CEILING: Role = 'cashier';

/** 'offline': the sign-in was verified on the desk, not by the server. */
export type SessionKind = 'online' | 'offline';

function offlineRefusal(role: Role): string {
  return `this was done in an offline session, where ${withArticle(role)} may only do a cashier's work; sign in online with your password to do it`;
}

function refusalToWriteAs(role: Role, collection: string, doc: Record<string, unknown>): string | null {
  if (collection === 'ledger') {
    const type = doc.type;
    return typeof type === 'string' && Object.hasOwn(ledgerPermissions, type) ? refusalToRecord(role, type as LedgerEntryType) : null;
  }
  let allowed: readonly Role[] | undefined;
  let action: string;
  if (collection === 'reference') {
    const kind = doc.kind;
    allowed = typeof kind === 'string' && Object.hasOwn(referencePermissions, kind) ? referencePermissions[kind as ReferenceKind] : admins;
    action = masterDataNames.reference;
  } else if (Object.hasOwn(masterDataPermissions, collection)) {
    allowed = masterDataPermissions[collection as keyof typeof masterDataPermissions];
    action = masterDataNames[collection as keyof typeof masterDataPermissions];
  } else {
    return `nobody may write '${collection}'`;
  }
  return allowed.includes(role) ? null : `${withArticle(role)} cannot ${action}; ask someone with one of these roles: ${allowed.join(', ')}`;
}

/** "a cashier", "an admin": a role or other word with its indefinite article, for messages. */
export function withArticle(role: string): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

/** Server actions outside replication, each with the roles that may perform it. */
export const actionPermissions = {
  'audit.read': ['owner', 'admin', 'auditor'],
  'devices.view': ['owner', 'admin', 'auditor'],
  'devices.manage': admins,
  'users.reset-password': admins,
  'users.view': ['owner', 'admin', 'auditor'],
  'users.manage': admins,
  'realtime.status': admins,
  'realtime.broadcast': admins,
  'sync.conflicts': admins,
  'sync.settings': admins,
  // Bulk work is the bursar's setup: imports and bulk changes write many students at once.
  'bulk.import': managers,
  'bulk.update': managers,
  'bulk.export': ['owner', 'admin', 'bursar', 'auditor'],
} as const satisfies Readonly<Record<string, readonly Role[]>>;

export type ServerAction = keyof typeof actionPermissions;

export function mayPerform(role: Role, action: ServerAction, session: SessionKind = 'online'): boolean {
  const allowed = actionPermissions[action] as readonly Role[];
  return allowed.includes(role) && (session === 'online' || allowed.includes(OFFLINE_SESSION_CEILING));
}
