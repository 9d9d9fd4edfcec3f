// Who may record what. One table read by the server (every pushed document) and by the desk
// (what it offers), so the two can never disagree. Issue-by-issue it grows to every action.
import type { Role } from '../api/auth.ts';
import type { LedgerEntryType } from '../fees/ledger.ts';

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
};

export function mayRecord(role: Role, type: LedgerEntryType): boolean {
  return ledgerPermissions[type].includes(role);
}

/** Null when allowed; otherwise the sentence to show ("A cashier cannot record refunds; …"). */
export function refusalToRecord(role: Role, type: LedgerEntryType): string | null {
  if (mayRecord(role, type)) return null;
  const who = ledgerPermissions[type].join(', ');
  return `a ${role} cannot ${actionNames[type]}; ask someone with one of these roles: ${who}`;
}
