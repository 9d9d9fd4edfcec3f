// A fee structure as the bursar types it (amounts as text in the school's currency) turned into
// the document invoicing reads, and the live preview of what each instalment comes to. The
// preview splits each line over the instalments by weight with core's largest-remainder split,
// the very split invoicing bills, so the preview is what a student's invoice will show.
import { newId, parseMoney, replicatedCollections, splitByWeights, type FeeStructure } from '@feemaster/core';
import { placeProblems, type FieldProblems } from './field-problems.ts';

export interface LineDraft {
  /** Keeps a row's inputs in place while rows are added and removed. */
  key: string;
  feeCategoryId: string;
  description: string;
  amount: string;
}

export interface InstalmentDraft {
  key: string;
  label: string;
  dueDate: string;
  weight: string;
}

export interface FeeStructureDraft {
  name: string;
  termId: string;
  classId: string;
  /** '' = students of any category (without a more specific structure). */
  studentCategoryId: string;
  lines: LineDraft[];
  instalments: InstalmentDraft[];
}

export const MAX_WEIGHT = 10_000;

export function newLine(): LineDraft {
  return { key: newId(), feeCategoryId: '', description: '', amount: '' };
}

export function newInstalment(label = '', weight = '1'): InstalmentDraft {
  return { key: newId(), label, dueDate: '', weight };
}

export function emptyStructureDraft(termId = '', classId = ''): FeeStructureDraft {
  return { name: '', termId, classId, studentCategoryId: '', lines: [newLine()], instalments: [newInstalment('Instalment 1')] };
}

export function draftOfStructure(structure: FeeStructure, formatAmount: (minor: number) => string): FeeStructureDraft {
  return {
    name: structure.name,
    termId: structure.termId,
    classId: structure.classId,
    studentCategoryId: structure.studentCategoryId ?? '',
    lines: structure.lines.map((line) => ({ key: newId(), feeCategoryId: line.feeCategoryId, description: line.description, amount: formatAmount(line.amount) })),
    instalments: structure.instalments.map((i) => ({ key: newId(), label: i.label, dueDate: i.dueDate, weight: String(i.weight) })),
  };
}

/** A line's amount in minor units, or the reason it cannot be read (parseMoney's own words). */
export function readAmount(text: string, currency: string, notPositive = 'Enter an amount above nothing; leave out a fee the class does not pay.'): { amount: number } | { problem: string } {
  try {
    const amount = parseMoney(text, currency);
    if (amount <= 0) return { problem: notPositive };
    return { amount };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/** A weight as typed, or null when it is not a whole number from 1 to 10 000. */
export function readWeight(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const weight = Number(trimmed);
  return weight >= 1 && weight <= MAX_WEIGHT ? weight : null;
}

/**
 * What each instalment comes to for one student billed the whole term: every line split over the
 * instalments by weight (largest remainder, as invoicing splits it), summed per instalment.
 */
export function instalmentTotals(lineAmounts: readonly number[], weights: readonly number[]): number[] {
  const totals = weights.map(() => 0);
  for (const amount of lineAmounts) {
    splitByWeights(amount, weights).forEach((part, index) => {
      totals[index] = (totals[index] ?? 0) + part;
    });
  }
  return totals;
}

export interface StructurePreview {
  /** Per instalment, in draft order; null until every weight reads. */
  instalments: number[] | null;
  total: number;
  /** Lines left out of the preview because their amount does not read yet. */
  unreadLines: number;
}

export function previewStructure(draft: FeeStructureDraft, currency: string): StructurePreview {
  const amounts: number[] = [];
  let unreadLines = 0;
  for (const line of draft.lines) {
    const read = readAmount(line.amount, currency);
    if ('amount' in read) amounts.push(read.amount);
    else unreadLines++;
  }
  const weights = draft.instalments.map((i) => readWeight(i.weight));
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  const readable = weights.length > 0 && weights.every((w): w is number => w !== null) && Number.isSafeInteger(total);
  return { instalments: readable ? instalmentTotals(amounts, weights) : null, total, unreadLines };
}

/** Who else a structure would bill for the same students: invoicing refuses two that both apply. */
export interface StructureContext {
  currency: string;
  schoolId: string;
  existing: FeeStructure | null;
  /** Every structure of the school (archived ones are ignored). */
  structures: readonly FeeStructure[];
  termExists: (id: string) => boolean;
  classExists: (id: string) => boolean;
  categoryExists: (id: string) => boolean;
  feeCategoryExists: (id: string) => boolean;
  describe: (termId: string, classId: string, studentCategoryId: string) => string;
  now: Date;
}

const schemaFields = [
  { path: '/name', field: 'name', plain: 'Give the structure a name (1 to 120 characters).' },
  { path: '/termId', field: 'termId', plain: 'Choose the term.' },
  { path: '/classId', field: 'classId', plain: 'Choose the class.' },
  { path: '/studentCategoryId', field: 'studentCategoryId', plain: 'Choose a student category, or any category.' },
  { path: '/lines/*/feeCategoryId', field: 'lines.*.feeCategoryId', plain: 'Choose the fee category.' },
  { path: '/lines/*/description', field: 'lines.*.description', plain: 'Describe the fee in 1 to 120 characters.' },
  { path: '/lines/*/amount', field: 'lines.*.amount', plain: 'Enter an amount above nothing.' },
  { path: '/lines', field: 'lines', plain: 'Add from 1 to 50 fee lines.' },
  { path: '/instalments/*/label', field: 'instalments.*.label', plain: 'Name the instalment in 1 to 120 characters.' },
  { path: '/instalments/*/dueDate', field: 'instalments.*.dueDate', plain: 'Enter the due date (a date like 2026-01-31).' },
  { path: '/instalments/*/weight', field: 'instalments.*.weight', plain: `Enter a whole number from 1 to ${String(MAX_WEIGHT)}.` },
  { path: '/instalments', field: 'instalments', plain: 'Add from 1 to 24 instalments.' },
];

/**
 * The document to save, or the problems to show beside the fields. Every problem a bursar can
 * cause is explained in plain words here; the schema (the server's own check) runs last.
 */
export function buildFeeStructure(draft: FeeStructureDraft, context: StructureContext): { structure: FeeStructure } | { problems: FieldProblems; other: string[] } {
  const problems: FieldProblems = {};
  const name = draft.name.trim();
  if (name === '') problems.name = 'Give the structure a name, like Grade 4 — Term 1.';
  if (!context.termExists(draft.termId)) problems.termId = 'Choose the term this structure bills (add it under Years and terms first if it is not listed).';
  if (!context.classExists(draft.classId)) problems.classId = 'Choose the class this structure bills.';
  if (draft.studentCategoryId !== '' && !context.categoryExists(draft.studentCategoryId)) problems.studentCategoryId = 'Choose a student category that is set up, or any category.';
  if (draft.lines.length === 0) problems.lines = 'Add at least one fee line.';
  if (draft.lines.length > 50) problems.lines = 'A structure has at most 50 fee lines.';
  const lines: FeeStructure['lines'] = [];
  draft.lines.forEach((line, index) => {
    const row = `lines.${String(index)}`;
    if (!context.feeCategoryExists(line.feeCategoryId)) problems[`${row}.feeCategoryId`] = 'Choose the fee category.';
    const description = line.description.trim();
    if (description === '') problems[`${row}.description`] = 'Describe the fee, like Tuition.';
    const read = readAmount(line.amount, context.currency);
    if ('problem' in read) problems[`${row}.amount`] = read.problem;
    else lines.push({ feeCategoryId: line.feeCategoryId, description, amount: read.amount });
  });
  if (draft.instalments.length === 0) problems.instalments = 'Add at least one instalment.';
  if (draft.instalments.length > 24) problems.instalments = 'A structure has at most 24 instalments.';
  const instalments: FeeStructure['instalments'] = [];
  const labels = new Set<string>();
  draft.instalments.forEach((instalment, index) => {
    const row = `instalments.${String(index)}`;
    const label = instalment.label.trim();
    if (label === '') problems[`${row}.label`] = 'Name the instalment, like First instalment.';
    else if (labels.has(label.toLowerCase())) problems[`${row}.label`] = `Another instalment is already called ${label}: statements would not tell them apart.`;
    labels.add(label.toLowerCase());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(instalment.dueDate)) problems[`${row}.dueDate`] = 'Enter the date this instalment is due.';
    const weight = readWeight(instalment.weight);
    if (weight === null) problems[`${row}.weight`] = `Enter a whole number from 1 to ${String(MAX_WEIGHT)}: instalments share each fee in proportion to their weights (1 and 1 halves it, 60 and 40 splits it 60 %/40 %).`;
    instalments.push({ label, dueDate: instalment.dueDate, weight: weight ?? 0 });
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  if (!Number.isSafeInteger(total)) problems.lines = 'The lines add up to more than can be billed: check the amounts for a typing mistake.';
  const twin = context.structures.find(
    (s) => s.id !== context.existing?.id && s.archived !== true && s.termId === draft.termId && s.classId === draft.classId && (s.studentCategoryId ?? '') === draft.studentCategoryId,
  );
  if (twin && !problems.termId && !problems.classId) {
    problems.classId = `“${twin.name}” already bills ${context.describe(draft.termId, draft.classId, draft.studentCategoryId)}: a student can have only one structure per term, so edit that one or archive it first.`;
  }
  if (Object.keys(problems).length > 0) return { problems, other: [] };

  const now = context.now.toISOString();
  const structure: FeeStructure = {
    id: context.existing?.id ?? newId(),
    schoolId: context.schoolId,
    name,
    termId: draft.termId,
    classId: draft.classId,
    ...(draft.studentCategoryId === '' ? {} : { studentCategoryId: draft.studentCategoryId }),
    lines,
    instalments,
    ...(context.existing?.archived === undefined ? {} : { archived: context.existing.archived }),
    createdAt: context.existing?.createdAt ?? now,
    updatedAt: now,
  };
  const invalid = replicatedCollections.feeStructures.validate(structure);
  if (invalid.length > 0) {
    const placed = placeProblems(invalid, schemaFields);
    return { problems: placed.fields, other: placed.other };
  }
  return { structure };
}
