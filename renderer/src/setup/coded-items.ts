// Classes, fee categories and student categories: a name and a short code (the class's optional,
// with a level for promotion order). Codes print on reports and exports, so two unarchived items
// of a kind never share one; nor do they share a name, or a bursar could not tell them apart.
import type { FieldProblems } from './field-problems.ts';

export type CodedKind = 'class' | 'feeCategory' | 'studentCategory';

export interface CodedDraft {
  id?: string;
  name: string;
  code: string;
  /** Classes only: 0–30, empty for none. */
  level: string;
}

export interface CodedItem {
  id: string;
  name: string;
  archived?: boolean;
  data: { code?: string; level?: number };
}

export const codedKindWords: Readonly<Record<CodedKind, { one: string; example: string; codeExample: string }>> = {
  class: { one: 'class', example: 'Grade 4 East', codeExample: 'G4E' },
  feeCategory: { one: 'fee category', example: 'Tuition', codeExample: 'TUI' },
  studentCategory: { one: 'student category', example: 'Boarder', codeExample: 'BRD' },
};

/** What the code field must hold, in plain words. */
export function codeRule(kind: CodedKind): string {
  return `Use 1 to 12 capital letters or digits, no spaces (like ${codedKindWords[kind].codeExample}).`;
}

/** Codes are upper case on paper; what was typed in lower case means the same code. */
export function normaliseCode(text: string): string {
  return text.trim().toUpperCase();
}

export function checkCoded(kind: CodedKind, draft: CodedDraft, existing: readonly CodedItem[]): FieldProblems {
  const words = codedKindWords[kind];
  const problems: FieldProblems = {};
  const others = existing.filter((item) => item.id !== draft.id && item.archived !== true);
  const name = draft.name.trim();
  if (name === '') problems.name = `Give the ${words.one} a name, like ${words.example}.`;
  else if (name.length > 120) problems.name = 'Keep the name to 120 characters.';
  else {
    const twin = others.find((item) => item.name.trim().toLowerCase() === name.toLowerCase());
    if (twin) problems.name = `There is already a ${words.one} named ${twin.name}: give this one another name, or edit that one.`;
  }
  const code = normaliseCode(draft.code);
  if (code === '') {
    if (kind !== 'class') problems.code = `Give the ${words.one} a short code. ${codeRule(kind)}`;
  } else if (!/^[A-Z0-9]{1,12}$/.test(code)) {
    problems.code = codeRule(kind);
  } else {
    const twin = others.find((item) => item.data.code === code);
    if (twin) problems.code = `Code ${code} is already used by ${twin.name}: choose another code.`;
  }
  if (kind === 'class' && draft.level.trim() !== '') {
    const level = Number(draft.level.trim());
    if (!/^\d{1,2}$/.test(draft.level.trim()) || level > 30) problems.level = 'Enter a whole number from 0 to 30 (the year of schooling, used to suggest promotions), or leave it empty.';
  }
  return problems;
}

/** The `data` of the document to store. */
export function codedData(kind: CodedKind, draft: CodedDraft): { code?: string; level?: number } {
  const code = normaliseCode(draft.code);
  if (kind !== 'class') return { code };
  const level = draft.level.trim();
  return { ...(code === '' ? {} : { code }), ...(level === '' ? {} : { level: Number(level) }) };
}
