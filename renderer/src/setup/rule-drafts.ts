// Discount and late-fee rules as the bursar types them (percentages and amounts as text) turned
// into the rule data invoicing and late-fee accrual read. Percentages become basis points and
// amounts minor units by reading the digits, never through a float.
import { formatAmount, type DiscountRuleDoc, type LateFeeRuleDoc } from '@feemaster/core';
import { readAmount } from './fee-structure-draft.ts';
import type { FieldProblems } from './field-problems.ts';

/** 10 000 basis points = 100 %. */
const FULL = 10_000;

/** A percentage as typed ("12.5", "10 %") in basis points, or null when it does not read as 0–100 with up to two decimals. */
export function readPercent(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.replace(/%/g, '').trim());
  if (!match) return null;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= FULL ? basisPoints : null;
}

/** Basis points as a percentage to type or show: 1250 → "12.5". */
export function percentText(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / 100);
  const fraction = String(basisPoints % 100).padStart(2, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${String(whole)}.${fraction}`;
}

export type DiscountType = DiscountRuleDoc['data']['type'];
export type ValueMode = 'percent' | 'fixed';

export interface DiscountDraft {
  name: string;
  type: DiscountType;
  /** Sibling: the child the discount starts from (2 = the second child and later). */
  fromChild: string;
  mode: ValueMode;
  percent: string;
  amount: string;
  /** None ticked = every fee category. */
  feeCategoryIds: string[];
  /** Scholarship: the students granted it. */
  studentIds: string[];
}

export const emptyDiscountDraft: DiscountDraft = { name: '', type: 'sibling', fromChild: '2', mode: 'percent', percent: '', amount: '', feeCategoryIds: [], studentIds: [] };

export function discountDraftOf(rule: DiscountRuleDoc, currency: string): DiscountDraft {
  const data = rule.data;
  const base = { ...emptyDiscountDraft, name: rule.name, type: data.type, feeCategoryIds: [...data.feeCategoryIds] };
  if (data.type === 'sibling') return { ...base, fromChild: String(data.fromChild), percent: percentText(data.basisPoints) };
  const value = data.value.mode === 'percent' ? { mode: 'percent' as const, percent: percentText(data.value.basisPoints) } : { mode: 'fixed' as const, amount: formatAmount(data.value.amount, currency) };
  return { ...base, ...value, studentIds: data.type === 'scholarship' ? [...data.studentIds] : [] };
}

const percentProblem = (what: string): string => `Enter ${what} as a percentage above 0 and at most 100, with up to two decimals (like 10 or 12.5).`;

function readValue(mode: ValueMode, percent: string, amount: string, currency: string, problems: FieldProblems, what: string): { mode: 'percent'; basisPoints: number } | { mode: 'fixed'; amount: number } | null {
  if (mode === 'percent') {
    const basisPoints = readPercent(percent);
    if (basisPoints === null || basisPoints === 0) {
      problems.percent = percentProblem(what);
      return null;
    }
    return { mode, basisPoints };
  }
  const read = readAmount(amount, currency);
  if ('problem' in read) {
    problems.amount = read.problem;
    return null;
  }
  return { mode, amount: read.amount };
}

export function buildDiscountData(draft: DiscountDraft, currency: string): { data: DiscountRuleDoc['data'] } | { problems: FieldProblems } {
  const problems: FieldProblems = {};
  if (draft.name.trim() === '') problems.name = 'Give the rule a name, like Sibling discount.';
  const feeCategoryIds = [...draft.feeCategoryIds];
  if (draft.type === 'sibling') {
    const from = draft.fromChild.trim();
    const fromChild = /^\d{1,2}$/.test(from) ? Number(from) : Number.NaN;
    if (!(fromChild >= 2 && fromChild <= 20)) problems.fromChild = 'Enter which child the discount starts from: 2 for the second child and later, up to 20.';
    const basisPoints = readPercent(draft.percent);
    if (basisPoints === null || basisPoints === 0) problems.percent = percentProblem('the discount');
    if (Object.keys(problems).length > 0 || basisPoints === null) return { problems };
    return { data: { type: 'sibling', fromChild, basisPoints, feeCategoryIds } };
  }
  const value = readValue(draft.mode, draft.percent, draft.amount, currency, problems, 'the discount');
  if (draft.type === 'scholarship' && draft.studentIds.length === 0) problems.studentIds = 'Choose the students who hold this scholarship.';
  if (Object.keys(problems).length > 0 || value === null) return { problems };
  return draft.type === 'staffChild'
    ? { data: { type: 'staffChild', value, feeCategoryIds } }
    : { data: { type: 'scholarship', value, feeCategoryIds, studentIds: [...draft.studentIds] } };
}

export interface LateFeeDraft {
  name: string;
  graceDays: string;
  periodDays: string;
  mode: ValueMode;
  percent: string;
  amount: string;
  cap: string;
  feeCategoryIds: string[];
}

export const emptyLateFeeDraft: LateFeeDraft = { name: '', graceDays: '7', periodDays: '30', mode: 'fixed', percent: '', amount: '', cap: '', feeCategoryIds: [] };

export function lateFeeDraftOf(rule: LateFeeRuleDoc, currency: string): LateFeeDraft {
  const { data } = rule;
  return {
    name: rule.name,
    graceDays: String(data.graceDays),
    periodDays: String(data.periodDays),
    mode: data.value.mode,
    percent: data.value.mode === 'percent' ? percentText(data.value.basisPoints) : '',
    amount: data.value.mode === 'fixed' ? formatAmount(data.value.amount, currency) : '',
    cap: formatAmount(data.cap, currency),
    feeCategoryIds: [...data.feeCategoryIds],
  };
}

const wholeDays = (text: string, min: number, max: number): number | null => {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed)) return null;
  const days = Number(trimmed);
  return days >= min && days <= max ? days : null;
};

export function buildLateFeeData(draft: LateFeeDraft, currency: string): { data: LateFeeRuleDoc['data'] } | { problems: FieldProblems } {
  const problems: FieldProblems = {};
  if (draft.name.trim() === '') problems.name = 'Give the rule a name, like Monthly late fee.';
  const graceDays = wholeDays(draft.graceDays, 0, 365);
  if (graceDays === null) problems.graceDays = 'Enter the days after the due date before the first fine: a whole number from 0 to 365.';
  const periodDays = wholeDays(draft.periodDays, 1, 366);
  if (periodDays === null) problems.periodDays = 'Enter how many days each fine covers: a whole number from 1 (daily) to 366 (30 is monthly).';
  const value = readValue(draft.mode, draft.percent, draft.amount, currency, problems, 'the fine');
  const cap =
    draft.cap.trim() === ''
      ? { problem: 'Enter the cap: the most one overdue charge is ever fined in total under this rule.' }
      : readAmount(draft.cap, currency, 'Enter a cap above nothing: with a cap of 0 the rule would never fine anyone.');
  if ('problem' in cap) problems.cap = cap.problem;
  if (Object.keys(problems).length > 0 || value === null || graceDays === null || periodDays === null || 'problem' in cap) return { problems };
  return { data: { graceDays, periodDays, value, cap: cap.amount, feeCategoryIds: [...draft.feeCategoryIds] } };
}

/** 2 → "2nd", 3 → "3rd", 11 → "11th". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${String(n)}${suffix}`;
}

const onCategories = (ids: readonly string[], name: (id: string) => string): string => (ids.length === 0 ? 'on every fee' : `on ${ids.map(name).join(', ')}`);

const valueText = (value: { mode: 'percent'; basisPoints: number } | { mode: 'fixed'; amount: number }, money: (minor: number) => string): string =>
  value.mode === 'percent' ? `${percentText(value.basisPoints)} %` : money(value.amount);

/** A discount rule in one line, as the list shows it. */
export function describeDiscount(data: DiscountRuleDoc['data'], feeCategoryName: (id: string) => string, money: (minor: number) => string): string {
  const on = onCategories(data.feeCategoryIds, feeCategoryName);
  switch (data.type) {
    case 'sibling':
      return `${percentText(data.basisPoints)} % off for the ${ordinal(data.fromChild)} child of a family and later, ${on}`;
    case 'staffChild':
      return `${valueText(data.value, money)} off${data.value.mode === 'fixed' ? ' per invoice' : ''} for children of staff, ${on}`;
    case 'scholarship':
      return `${valueText(data.value, money)} off${data.value.mode === 'fixed' ? ' per invoice' : ''} for ${String(data.studentIds.length)} student${data.studentIds.length === 1 ? '' : 's'}, ${on}`;
  }
}

/** A late-fee rule in one line, as the list shows it. */
export function describeLateFee(data: LateFeeRuleDoc['data'], feeCategoryName: (id: string) => string, money: (minor: number) => string): string {
  const every = data.periodDays === 1 ? 'every day' : `every ${String(data.periodDays)} days`;
  const fine = data.value.mode === 'percent' ? `${percentText(data.value.basisPoints)} % of what is overdue` : money(data.value.amount);
  const grace = data.graceDays === 0 ? 'From the day after the due date' : `After ${String(data.graceDays)} day${data.graceDays === 1 ? '' : 's'} of grace`;
  return `${grace}, ${fine} ${every}, at most ${money(data.cap)} per charge, ${onCategories(data.feeCategoryIds, feeCategoryName)}`;
}
