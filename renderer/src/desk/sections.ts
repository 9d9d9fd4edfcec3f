// Which sections of the desk a role may open, read from the core permission table so that the
// navigation never offers a screen the server would refuse.
import { mayPerform, type Role } from '@feemaster/core';

export type DeskSection = 'students' | 'audit';

/** The desk's sections in the order the navigation shows them, with who may open each. */
const sectionRules: readonly { section: DeskSection; mayOpen: (role: Role) => boolean }[] = [
  // Every role reads the register (the auditor too); what each may change is decided per action.
  { section: 'students', mayOpen: () => true },
  { section: 'audit', mayOpen: (role) => mayPerform(role, 'audit.read') },
];

export function deskSections(role: Role): DeskSection[] {
  return sectionRules.filter((rule) => rule.mayOpen(role)).map((rule) => rule.section);
}

export const sectionTitles: Readonly<Record<DeskSection, string>> = {
  students: 'Students',
  audit: 'Audit trail',
};
