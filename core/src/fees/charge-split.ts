// Turns a fee structure into the charges of one student's invoice: each fee line, pro-rated for
// a late joiner, is split over the instalments and then over the payers responsible for it.
// Every split is largest-remainder, so the charges add back up to the billed total exactly.
import { keyedId } from '../ids.ts';
import { splitByWeights } from '../money.ts';
import type { FeeStructure } from './fee-structures.ts';
import type { Charge } from './ledger.ts';
import type { Payer } from './payers.ts';

/** 10 000 basis points = 100 %. */
export const FULL_SHARE = 10_000;

export interface ChargeSplitOptions {
  invoiceId: string;
  /** The invoiced student: picks each payer's link (share, sponsored categories) to this student. */
  studentId: string;
  /** Payers linked to the student; archived payers and payers with no link to `studentId` are ignored. */
  payers: readonly Payer[];
  /** Share of the term billed to a late joiner; absent = the whole term. */
  prorationBasisPoints?: number;
}

/** One payer's link to the invoiced student. */
export interface PayerLink {
  payerId: string;
  share: number;
  feeCategoryIds: readonly string[] | undefined;
}

/** Who carries part of one line: a payer, or the student's own account (`payerId` undefined). */
export interface Responsibility {
  payerId: string | undefined;
  weight: number;
}

function assertBasisPoints(value: number, what: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum || value > FULL_SHARE) {
    throw new Error(`${what} is ${String(value)}: it must be a whole number of basis points from ${String(minimum)} to 10000`);
  }
}

/** `value × basisPoints / 10 000`, half up, without passing through a float. */
export function applyBasisPoints(value: number, basisPoints: number): number {
  return Number((BigInt(value) * BigInt(basisPoints) + BigInt(FULL_SHARE / 2)) / BigInt(FULL_SHARE));
}

/**
 * The structure's line amounts pro-rated to `basisPoints`: the billed total is
 * round(total × bp / 10 000), shared over the lines in proportion to their amounts by largest
 * remainder, so each line is within a unit of its exact share and the lines sum to the total.
 */
export function proratedLineAmounts(amounts: readonly number[], basisPoints: number): number[] {
  assertBasisPoints(basisPoints, 'The share of the term billed', 1);
  if (basisPoints === FULL_SHARE) return [...amounts];
  const total = amounts.reduce((sum, amount) => sum + BigInt(amount), 0n);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error('The fee structure total is too large to bill: check the line amounts for a typing mistake');
  }
  const billed = applyBasisPoints(Number(total), basisPoints);
  return billed === 0 ? amounts.map(() => 0) : splitByWeights(billed, amounts);
}

/** The student's links to non-archived payers, in payer-id order. */
export function linksTo(studentId: string, payers: readonly Payer[]): PayerLink[] {
  const links: PayerLink[] = [];
  const seen = new Set<string>();
  for (const payer of payers) {
    // An archived payer no longer pays; its part of new bills falls to the others or the student.
    if (payer.archived === true) continue;
    const own = payer.students.filter((link) => link.studentId === studentId);
    if (own.length === 0) continue;
    // Two links would give two charges the same id and an ambiguous share.
    if (own.length > 1 || seen.has(payer.id)) {
      throw new Error(`Payer "${payer.name}" is linked to this student more than once: keep one link with the right share`);
    }
    seen.add(payer.id);
    const [link] = own;
    if (link === undefined) continue;
    assertBasisPoints(link.share, `Payer "${payer.name}"'s share of this student`, 0);
    links.push({ payerId: payer.id, share: link.share, feeCategoryIds: link.feeCategoryIds });
  }
  // Sorted so that the result never depends on the order the payers were loaded in.
  return links.sort((a, b) => (a.payerId < b.payerId ? -1 : a.payerId > b.payerId ? 1 : 0));
}

/**
 * Integer weights for who carries a line of `feeCategoryId`: sponsors of the category first
 * (capped at 100 % together, in payer-id order), then the rest shared by payers without
 * sponsored categories pro rata to their shares (scaled down if their shares pass 100 %),
 * and what neither covers on the student's own account.
 */
export function responsibilitiesFor(feeCategoryId: string, links: readonly PayerLink[]): Responsibility[] {
  const sponsors: { payerId: string; share: number }[] = [];
  let sponsored = 0;
  for (const link of links) {
    if (link.feeCategoryIds?.includes(feeCategoryId) !== true) continue;
    const share = Math.min(link.share, FULL_SHARE - sponsored);
    sponsored += share;
    sponsors.push({ payerId: link.payerId, share });
  }
  const rest = FULL_SHARE - sponsored;
  const general = links.filter((link) => link.feeCategoryIds === undefined);
  const generalShares = general.reduce((sum, link) => sum + link.share, 0);
  // Common denominator FULL_SHARE × scale, so every weight is an exact integer.
  const scale = Math.max(generalShares, FULL_SHARE);
  return [
    ...sponsors.map((sponsor) => ({ payerId: sponsor.payerId, weight: sponsor.share * scale })),
    ...general.map((link) => ({ payerId: link.payerId, weight: rest * link.share })),
    { payerId: undefined, weight: rest * (scale - generalShares) },
  ];
}

/**
 * The charges of one invoice: line → (pro-rated) → instalments by weight → responsible payers.
 * Zero parts are dropped; ids are keyed by invoice, line, instalment and payer, so issuing the
 * same invoice again yields the same charges.
 */
export function splitStructureIntoCharges(structure: FeeStructure, options: ChargeSplitOptions): Charge[] {
  const links = linksTo(options.studentId, options.payers);
  const lineAmounts = proratedLineAmounts(
    structure.lines.map((line) => line.amount),
    options.prorationBasisPoints ?? FULL_SHARE,
  );
  const instalmentWeights = structure.instalments.map((instalment) => instalment.weight);
  const charges: Charge[] = [];

  structure.lines.forEach((line, lineIndex) => {
    const lineAmount = lineAmounts[lineIndex] ?? 0;
    if (lineAmount === 0) return;
    const responsibilities = responsibilitiesFor(line.feeCategoryId, links);
    const byInstalment = splitByWeights(lineAmount, instalmentWeights);
    structure.instalments.forEach((instalment, instalmentIndex) => {
      const instalmentAmount = byInstalment[instalmentIndex] ?? 0;
      if (instalmentAmount === 0) return;
      const byPayer = splitByWeights(
        instalmentAmount,
        responsibilities.map((r) => r.weight),
      );
      responsibilities.forEach(({ payerId }, payerIndex) => {
        const amount = byPayer[payerIndex] ?? 0;
        if (amount === 0) return;
        charges.push({
          id: keyedId(`charge:${options.invoiceId}:${String(lineIndex)}:${String(instalmentIndex)}:${payerId ?? 'student'}`),
          feeCategoryId: line.feeCategoryId,
          description: line.description,
          instalment: instalment.label,
          dueDate: instalment.dueDate,
          amount,
          ...(payerId === undefined ? {} : { payerId }),
        });
      });
    });
  });
  return charges;
}
