import { describe, expect, it } from 'vitest';
import { actionPermissions, mayRecord, roles, type Role, type ServerAction } from '@feemaster/core';
import { defaultSection, deskSections, type DeskSection } from './sections.ts';

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

  it('keeps the cashier to the till and the students register, and opens a cashier’s desk at the till', () => {
    expect(deskSections('cashier')).toEqual(['cashier', 'students']);
    expect(defaultSection('cashier', deskSections('cashier'))).toBe('cashier');
    expect(defaultSection('owner', deskSections('owner'))).toBe('students');
    expect(deskSections('auditor')).not.toContain('cashier');
  });

  it.each(roles.map((role) => [role]))('%s signed in offline sees only what a cashier would, like the server allows', (role) => {
    expect(deskSections(role, 'offline')).toEqual(deskSections(role).filter((section) => deskSections('cashier').includes(section)));
  });
});
