import { describe, expect, it } from 'vitest';
import { roles } from '../api/auth.ts';
import { ledgerEntryTypes } from '../fees/ledger.ts';
import { ledgerPermissions, mayRecord, refusalToRecord, refusalToWrite } from './permissions.ts';

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

describe('master data permissions', () => {
  it('lets the front desk keep students and payers, keeps fee setup to managers and settings to admins', () => {
    expect(refusalToWrite('cashier', 'students', {})).toBeNull();
    expect(refusalToWrite('cashier', 'feeStructures', {})).toBe('a cashier cannot change fee structures; ask someone with one of these roles: owner, admin, bursar');
    expect(refusalToWrite('bursar', 'reference', { kind: 'term' })).toBeNull();
    expect(refusalToWrite('bursar', 'reference', { kind: 'settings' })).toMatch(/^a bursar cannot change school settings/);
    expect(refusalToWrite('cashier', 'ledger', { type: 'payment' })).toBeNull();
    expect(refusalToWrite('cashier', 'ledger', { type: 'refund' })).toMatch(/^a cashier cannot record refunds/);
  });

  it('lets an auditor write nothing at all', () => {
    for (const [collection, doc] of [['students', {}], ['payers', {}], ['feeStructures', {}], ['reference', { kind: 'class' }], ['ledger', { type: 'payment' }]] as const) {
      expect(refusalToWrite('auditor', collection, doc)).toMatch(/^an auditor cannot/);
    }
  });
});
