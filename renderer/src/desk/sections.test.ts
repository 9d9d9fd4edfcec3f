import { describe, expect, it } from 'vitest';
import { actionPermissions, ledgerPermissions, mayRecord, referenceKinds, referencePermissions, roles, type ReferenceKind, type Role, type ServerAction } from '@feemaster/core';
import { defaultSection, deskSections, maySetUp, type DeskSection } from './sections.ts';

/** Each section beyond the register, with the server action whose roles may open it. */
const gatedSections = [
  ['audit', 'audit.read'],
  ['desks', 'devices.view'],
  ['staff', 'users.view'],
  ['conflicts', 'sync.conflicts'],
] as const satisfies readonly (readonly [DeskSection, ServerAction])[];

const allowed = (action: ServerAction): readonly Role[] => actionPermissions[action];

describe('desk sections by role', () => {
  it.each(roles.map((role) => [role]))('%s sees the till first when it may take payments, then the register, and each other section exactly when the table lets it perform that section’s action', (role) => {
    const sections = deskSections(role);
    expect(sections.slice(0, 2)).toEqual(mayRecord(role, 'payment') ? ['cashier', 'students'] : ['students', ...sections.slice(1, 2)]);
    for (const [section, action] of gatedSections) expect(sections.includes(section)).toBe(allowed(action).includes(role));
    expect(new Set(sections).size).toBe(sections.length);
  });

  it.each(gatedSections.map(([section, action]) => [section, action]))('keeps %s from some roles, exactly those without %s', (section, action) => {
    // A guard against the table drifting: some role must be kept out, or the check above proves nothing.
    const kept = roles.filter((role) => !deskSections(role).includes(section));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(roles.filter((role) => !allowed(action).includes(role)));
  });

  it('keeps the cashier to the till, the students register and the families, and opens a cashier’s desk at the till', () => {
    expect(deskSections('cashier')).toEqual(['cashier', 'students', 'families']);
    expect(defaultSection('cashier', deskSections('cashier'))).toBe('cashier');
    expect(defaultSection('owner', deskSections('owner'))).toBe('students');
    expect(deskSections('auditor')).not.toContain('cashier');
  });

  it.each(roles.map((role) => [role]))('%s signed in offline sees only what a cashier would, like the server allows', (role) => {
    expect(deskSections(role, 'offline')).toEqual(deskSections(role).filter((section) => deskSections('cashier').includes(section)));
  });

  it.each(roles.map((role) => [role]))('%s sees Setup exactly when the table lets it write some reference data', (role) => {
    const writes = (Object.keys(referenceKinds) as ReferenceKind[]).some((kind) => referencePermissions[kind].includes(role));
    expect(deskSections(role).includes('setup')).toBe(writes);
    expect(maySetUp(role)).toBe(writes);
  });

  it('shows Setup to the bursar but not to the cashier or auditor, and to nobody signed in offline', () => {
    expect(deskSections('bursar')).toEqual(['cashier', 'students', 'families', 'invoices', 'setup']);
    expect(deskSections('cashier')).not.toContain('setup');
    expect(deskSections('auditor')).not.toContain('setup');
    for (const role of roles) expect(deskSections(role, 'offline')).not.toContain('setup');
  });
});

describe('term invoices', () => {
  it.each(roles.map((role) => [role]))('%s sees Term invoices exactly when the table lets it record invoices, and never offline', (role) => {
    expect(deskSections(role).includes('invoices')).toBe(ledgerPermissions.invoice.includes(role));
    expect(deskSections(role, 'offline')).not.toContain('invoices');
  });
});
