import { describe, expect, it } from 'vitest';
import { roles } from '../api/auth.ts';
import { ledgerEntryTypes } from '../fees/ledger.ts';
import { actionPermissions, ledgerPermissions, mayPerform, mayRecord, refusalToRecord, refusalToWrite, type ServerAction } from './permissions.ts';

describe('ledger permissions', () => {
  it('lets a cashier open and close a till, take payments, apply credit and void, and nothing that changes what is owed', () => {
    const cashierMay = Object.keys(ledgerEntryTypes).filter((type) => mayRecord('cashier', type as keyof typeof ledgerEntryTypes));
    expect(cashierMay.sort()).toEqual(['cashSessionClose', 'cashSessionOpen', 'creditApplication', 'payment', 'void']);
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

describe('offline sessions', () => {
  const samples = [
    ['students', {}],
    ['feeStructures', {}],
    ['reference', { kind: 'settings' }],
    ['reference', { kind: 'term' }],
    ['ledger', { type: 'payment' }],
    ['ledger', { type: 'void' }],
    ['ledger', { type: 'refund' }],
    ['ledger', { type: 'writeOff' }],
  ] as const;

  it('lets each role do offline exactly what both it and a cashier may do online', () => {
    for (const role of roles) {
      for (const [collection, doc] of samples) {
        const allowedOffline = refusalToWrite(role, collection, doc) === null && refusalToWrite('cashier', collection, doc) === null;
        expect(refusalToWrite(role, collection, doc, 'offline') === null, `${role} ${collection} ${JSON.stringify(doc)}`).toBe(allowedOffline);
      }
      for (const action of Object.keys(actionPermissions) as ServerAction[]) {
        expect(mayPerform(role, action, 'offline')).toBe(mayPerform(role, action) && mayPerform('cashier', action));
      }
    }
  });

  it('tells an owner offline why a refund waits for an online sign-in', () => {
    expect(refusalToWrite('owner', 'ledger', { type: 'refund' }, 'offline')).toBe(
      "this was done in an offline session, where an owner may only do a cashier's work; sign in online with your password to do it",
    );
    expect(refusalToWrite('owner', 'ledger', { type: 'payment' }, 'offline')).toBeNull();
  });
});
