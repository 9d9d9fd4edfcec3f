import { describe, expect, it } from 'vitest';
import { actionPermissions, roles, type Role } from '@feemaster/core';
import { deskSections } from './sections.ts';

const auditReaders: readonly Role[] = actionPermissions['audit.read'];

describe('desk sections by role', () => {
  it.each(roles.map((role) => [role]))('%s sees the students register first, and the audit trail exactly when the table lets it read the trail', (role) => {
    const sections = deskSections(role);
    expect(sections[0]).toBe('students');
    expect(sections.includes('audit')).toBe(auditReaders.includes(role));
    expect(new Set(sections).size).toBe(sections.length);
  });

  it('keeps the audit trail from the roles being audited', () => {
    // A guard against the table drifting: some role must be kept out, or the check above proves nothing.
    const kept = roles.filter((role) => !deskSections(role).includes('audit'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(roles.filter((role) => !auditReaders.includes(role)));
  });
});
