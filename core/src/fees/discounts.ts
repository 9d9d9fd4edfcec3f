// Automatic discounts on a newly issued invoice (sibling, staff child, scholarship), written as
// immutable discount documents against its charges. Amounts are split by largest remainder and
// never take a charge below zero.
import { keyedId } from '../ids.ts';
import { splitByWeights } from '../money.ts';
import type { Student } from '../schemas/students.ts';
import { applyBasisPoints } from './charge-split.ts';
import type { Charge, DiscountDoc, InvoiceDoc } from './ledger.ts';
import type { Payer } from './payers.ts';
import type { DiscountRuleDoc, SettingsDoc } from './reference.ts';

export type SiblingOrder = SettingsDoc['data']['siblingOrder'];

type RuleData = DiscountRuleDoc['data'];
type SiblingRuleData = Extract<RuleData, { type: 'sibling' }>;
type ValueRuleData = Extract<RuleData, { type: 'staffChild' | 'scholarship' }>;

export interface SiblingContext {
  /** Every student of the school; only active ones count as siblings. */
  students: readonly Student[];
  payers: readonly Payer[];
  siblingOrder: SiblingOrder;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares admission numbers the way a register reads them: "ADM/9" before "ADM/10". */
export function compareAdmissionNumbers(a: string, b: string): number {
  const chunks = (text: string): string[] => text.match(/\d+|\D+/g) ?? [];
  const left = chunks(a);
  const right = chunks(b);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index] ?? '';
    const y = right[index] ?? '';
    if (x === y) continue;
    const bothNumbers = /^\d/.test(x) && /^\d/.test(y);
    if (bothNumbers) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
    }
    return byText(x.toUpperCase(), y.toUpperCase()) || byText(x, y);
  }
  return left.length - right.length;
}

function compareSiblings(order: SiblingOrder): (a: Student, b: Student) => number {
  return (a, b) => {
    if (order === 'eldest-first') {
      // A child with no recorded birth date goes after those with one rather than guessing an age.
      if (a.dateOfBirth !== b.dateOfBirth) {
        if (a.dateOfBirth === undefined) return 1;
        if (b.dateOfBirth === undefined) return -1;
        return byText(a.dateOfBirth, b.dateOfBirth);
      }
    } else {
      const byAdmission = compareAdmissionNumbers(a.admissionNumber, b.admissionNumber);
      if (byAdmission !== 0) return byAdmission;
    }
    return byText(a.id, b.id);
  };
}

/**
 * The student and its siblings in sibling order (eldest first, or by admission number; ties by
 * id): active students sharing a guardian or family payer with the student. Sponsors pay for
 * unrelated children, so they make no one a sibling; archived payers no longer join a family.
 */
export function siblingGroup(student: Student, context: SiblingContext): Student[] {
  const siblingIds = new Set<string>();
  for (const payer of context.payers) {
    if (payer.kind === 'sponsor' || payer.archived === true) continue;
    if (!payer.students.some((link) => link.studentId === student.id)) continue;
    for (const link of payer.students) siblingIds.add(link.studentId);
  }
  const group = context.students.filter(
    (other) => other.id !== student.id && other.status === 'active' && other.schoolId === student.schoolId && siblingIds.has(other.id),
  );
  return [student, ...group].sort(compareSiblings(context.siblingOrder));
}

/** 1 for the first (or only) child, 2 for the second, … in the school's sibling order. */
export function siblingPosition(student: Student, context: SiblingContext): number {
  return siblingGroup(student, context).findIndex((member) => member.id === student.id) + 1;
}

export interface InvoiceDiscountInput {
  invoice: Pick<InvoiceDoc, 'id' | 'schoolId' | 'currency' | 'studentId' | 'charges'>;
  /** From siblingPosition. */
  siblingPosition: number;
  staffChild: boolean;
  /** The school's discount rules; archived rules and other schools' rules are ignored. */
  rules: readonly DiscountRuleDoc[];
  createdBy: string;
  deviceId?: string;
  /** Device clock, ISO UTC. */
  now: string;
}

const inCategories = (categories: readonly string[], charge: Charge): boolean =>
  categories.length === 0 || categories.includes(charge.feeCategoryId);

const ruleOrder = (a: DiscountRuleDoc, b: DiscountRuleDoc): number => byText(a.createdAt, b.createdAt) || byText(a.id, b.id);

/**
 * For each charge, the sibling tier that applies: of the rules the child's position reaches, the
 * one with the highest `fromChild` (then the higher rate), so "10 % from the 2nd, 20 % from the
 * 3rd" gives the third child 20 %, not both.
 */
function siblingTiers(rules: readonly DiscountRuleDoc[], position: number, charges: readonly Charge[]): Map<DiscountRuleDoc, Charge[]> {
  const tiers = new Map<DiscountRuleDoc, Charge[]>();
  for (const charge of charges) {
    let best: { rule: DiscountRuleDoc; data: SiblingRuleData } | undefined;
    for (const rule of rules) {
      const data = rule.data;
      if (data.type !== 'sibling' || position < data.fromChild || !inCategories(data.feeCategoryIds, charge)) continue;
      if (
        best === undefined ||
        data.fromChild > best.data.fromChild ||
        (data.fromChild === best.data.fromChild && data.basisPoints > best.data.basisPoints)
      ) {
        best = { rule, data };
      }
    }
    if (best !== undefined) tiers.set(best.rule, [...(tiers.get(best.rule) ?? []), charge]);
  }
  return tiers;
}

/**
 * The automatic discounts on one invoice. Rules apply per charge in the order sibling →
 * staff child → scholarship (rules of one kind by creation), each on what the earlier ones left.
 * A percentage is round(remaining × rate) over the rule's eligible charges, shared by largest
 * remainder; a fixed amount (per invoice) is spread the same way, capped at what remains.
 */
export function computeInvoiceDiscounts(input: InvoiceDiscountInput): DiscountDoc[] {
  const { invoice } = input;
  const remaining = new Map(invoice.charges.map((charge) => [charge.id, charge.amount]));
  const rules = input.rules.filter((rule) => rule.archived !== true && rule.schoolId === invoice.schoolId).sort(ruleOrder);
  const discounts: DiscountDoc[] = [];

  const apply = (rule: DiscountRuleDoc, source: DiscountDoc['source'], value: ValueRuleData['value'], eligible: readonly Charge[]): void => {
    const bases = eligible.map((charge) => remaining.get(charge.id) ?? 0);
    const base = bases.reduce((sum, amount) => sum + amount, 0);
    if (base === 0) return;
    if (!Number.isSafeInteger(base)) {
      throw new Error('The invoice total is too large to discount: check the fee structure amounts for a typing mistake');
    }
    const total = value.mode === 'percent' ? applyBasisPoints(base, value.basisPoints) : Math.min(value.amount, base);
    if (total === 0) return;
    // Weighted by what remains, so no part can exceed its charge's remainder.
    const parts = splitByWeights(total, bases);
    eligible.forEach((charge, index) => {
      const amount = parts[index] ?? 0;
      if (amount === 0) return;
      remaining.set(charge.id, (remaining.get(charge.id) ?? 0) - amount);
      discounts.push({
        id: keyedId(`discount:${charge.id}:${rule.id}`),
        schoolId: invoice.schoolId,
        currency: invoice.currency,
        createdAt: input.now,
        createdBy: input.createdBy,
        ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
        type: 'discount',
        studentId: invoice.studentId,
        invoiceId: invoice.id,
        chargeId: charge.id,
        source,
        ruleId: rule.id,
        amount,
      });
    });
  };

  for (const [rule, charges] of siblingTiers(rules, input.siblingPosition, invoice.charges)) {
    if (rule.data.type !== 'sibling') continue;
    apply(rule, 'sibling', { mode: 'percent', basisPoints: rule.data.basisPoints }, charges);
  }
  for (const kind of ['staffChild', 'scholarship'] as const) {
    for (const rule of rules) {
      const data = rule.data;
      if (data.type !== kind) continue;
      if (data.type === 'staffChild' && !input.staffChild) continue;
      if (data.type === 'scholarship' && !data.studentIds.includes(invoice.studentId)) continue;
      apply(rule, kind, data.value, invoice.charges.filter((charge) => inCategories(data.feeCategoryIds, charge)));
    }
  }
  return discounts;
}
