import { describe, expect, it } from 'vitest';
import { roles } from '../api/auth.ts';
import { ledgerEntryTypes } from '../fees/ledger.ts';
import { ledgerPermissions, mayRecord, refusalToRecord } from './permissions.ts';

describe('ledger permissions', () => {
  it('lets a cashier take payments, apply credit and void, and nothing that changes what is owed', () => {
    const cashierMay = Object.keys(ledgerEntryTypes).filter((type) => mayRecord('cashier', type as keyof typeof ledgerEntryTypes));
    expect(cashierMay.sort()).toEqual(['creditApplication', 'payment', 'void']);
  });

  it('keeps write-offs to owners and admins', () => {
    expect(roles.filter((role) => mayRecord(role, 'writeOff'))).toEqual(['owner', 'admin']);
  });

  it('explains a refusal and names who can do it', () => {
    expect(refusalToRecord('cashier', 'refund')).toBe('a cashier cannot record refunds; ask someone with one of these roles: owner, admin, bursar');
    expect(refusalToRecord('bursar', 'refund')).toBeNull();
  });

  it('covers every ledger entry type and every role it names exists', () => {
    expect(Object.keys(ledgerPermissions).sort()).toEqual(Object.keys(ledgerEntryTypes).sort());
    for (const allowed of Object.values(ledgerPermissions)) for (const role of allowed) expect(roles).toContain(role);
  });
});
