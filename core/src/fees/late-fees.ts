// Late fees: turns overdue invoice charges into fine documents under the school's late-fee rules.
// Fine ids are keyed by charge, rule and period, so running it twice, or on two offline desks,
// makes the same fines rather than duplicates.
import { keyedId } from '../ids.ts';
import type { FineDoc } from './ledger.ts';
import { addDays, assertCalendarDate, daysBetween } from '../calendar-date.ts';
import type { ChargeState, LedgerState } from './ledger-state.ts';
import type { LateFeeRuleDoc } from './reference.ts';

/** The FineEntry schema's limit on `period`. */
const MAX_PERIOD = 1000;

/** The id of the fine for one period of one charge under one rule. */
export function lateFeeFineId(chargeId: string, ruleId: string, period: number): string {
  return keyedId(`fine:${chargeId}:${ruleId}:${String(period)}`);
}

export interface AccrueLateFeesInput {
  state: LedgerState;
  rules: readonly LateFeeRuleDoc[];
  /** The school-local date to accrue up to, YYYY-MM-DD. */
  asOf: string;
  schoolId: string;
  currency: string;
  createdBy: string;
  deviceId?: string;
  /** ISO instant stamped as createdAt. */
  now: string;
}

/** Round half up of amount × basisPoints / 10 000, in BigInt so the product cannot lose precision. */
function percentOf(amount: number, basisPoints: number): number {
  return Number((BigInt(amount) * BigInt(basisPoints) + 5_000n) / 10_000n);
}

function appliesTo(rule: LateFeeRuleDoc, charge: ChargeState): boolean {
  const categories = rule.data.feeCategoryIds;
  return categories.length === 0 || (charge.feeCategoryId !== undefined && categories.includes(charge.feeCategoryId));
}

/**
 * The fines due as of `asOf` that are not in the ledger yet. A charge is overdue once `asOf` is
 * past its due date plus the grace days; each started period after that is one fine: the fixed
 * amount, or the percentage of what is open now. Fines already issued count towards the cap
 * even if later waived, so a waiver never invites a fresh fine. Archived rules accrue nothing.
 */
export function accrueLateFees(input: AccrueLateFeesInput): FineDoc[] {
  const { state, asOf } = input;
  assertCalendarDate(asOf);
  const rules = input.rules.filter((rule) => rule.archived !== true).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const overdue = [...state.charges.values()]
    .filter((charge) => charge.kind === 'charge' && charge.open > 0)
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const finedSoFar = new Map<string, number>();
  for (const charge of state.charges.values()) {
    if (charge.fineOf === undefined) continue;
    const key = `${charge.fineOf.chargeId}:${charge.fineOf.ruleId}`;
    finedSoFar.set(key, (finedSoFar.get(key) ?? 0) + charge.amount);
  }

  const fines: FineDoc[] = [];
  for (const charge of overdue) {
    for (const rule of rules) {
      if (!appliesTo(rule, charge)) continue;
      const { graceDays, periodDays, value, cap } = rule.data;
      const daysLate = daysBetween(charge.dueDate, asOf) - graceDays;
      if (daysLate <= 0) continue;
      const periods = Math.min(Math.ceil(daysLate / periodDays), MAX_PERIOD);
      let fined = finedSoFar.get(`${charge.id}:${rule.id}`) ?? 0;
      for (let period = 1; period <= periods && fined < cap; period++) {
        const id = lateFeeFineId(charge.id, rule.id, period);
        if (state.charges.has(id)) continue;
        const full = value.mode === 'fixed' ? value.amount : percentOf(charge.open, value.basisPoints);
        const amount = Math.min(full, cap - fined);
        if (amount <= 0) continue;
        fined += amount;
        fines.push({
          id,
          schoolId: input.schoolId,
          currency: input.currency,
          createdAt: input.now,
          createdBy: input.createdBy,
          ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
          type: 'fine',
          studentId: charge.studentId,
          chargeId: charge.id,
          ruleId: rule.id,
          period,
          accruedOn: addDays(charge.dueDate, graceDays + (period - 1) * periodDays + 1),
          amount,
          ...(charge.payerId === undefined ? {} : { payerId: charge.payerId }),
        });
      }
    }
  }
  return fines;
}
