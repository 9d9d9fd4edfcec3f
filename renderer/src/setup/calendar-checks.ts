// The school calendar's rules, checked before a year or term is saved: dates that exist, a term
// inside its year, no two terms of a year sharing a day, and academic years that follow one
// another. A day in two terms would make it ambiguous which term a bill or payment belongs to.
import { addDays, dayNumber } from '@feemaster/core';
import type { FieldProblems } from './field-problems.ts';

/** A year or term as the checks see it. */
export interface Period {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
}

export interface PeriodDraft {
  /** The period being edited; absent for a new one. */
  id?: string;
  name: string;
  startDate: string;
  endDate: string;
}

/** Inclusive calendar ranges share at least one day. */
export function overlaps(a: { startDate: string; endDate: string }, b: { startDate: string; endDate: string }): boolean {
  return a.startDate <= b.endDate && b.startDate <= a.endDate;
}

const isDate = (text: string): boolean => {
  try {
    dayNumber(text);
    return true;
  } catch {
    // Only the verdict matters here; the caller says what to type.
    return false;
  }
};

const span = (p: { startDate: string; endDate: string }): string => `${p.startDate} to ${p.endDate}`;

/** Name and dates of either kind of period; later checks assume these passed. */
function checkDates(draft: PeriodDraft, what: 'year' | 'term'): FieldProblems {
  const problems: FieldProblems = {};
  if (draft.name.trim() === '') problems.name = what === 'year' ? 'Give the year a name, like 2026.' : 'Give the term a name, like Term 1.';
  if (!isDate(draft.startDate)) problems.startDate = `Enter the first day of the ${what} (a date like 2026-01-05).`;
  if (!isDate(draft.endDate)) problems.endDate = `Enter the last day of the ${what} (a date like 2026-04-10).`;
  if (!problems.startDate && !problems.endDate && draft.endDate < draft.startDate) {
    problems.endDate = `The ${what} would end (${draft.endDate}) before it starts (${draft.startDate}): check the two dates.`;
  }
  return problems;
}

/** Where a period clashing with `other` could move to: start after it, or end before it. */
function wayOut(draft: PeriodDraft, other: Period): string {
  return draft.startDate >= other.startDate ? `start it on ${addDays(other.endDate, 1)} or later` : `end it on ${addDays(other.startDate, -1)} or earlier`;
}

/**
 * Problems with an academic year: its dates, another (unarchived) year sharing days with it, and
 * its own terms, which must stay inside it when its dates change.
 */
export function checkYear(draft: PeriodDraft, years: readonly Period[], termsOfYear: readonly Period[]): FieldProblems {
  const problems = checkDates(draft, 'year');
  if (problems.startDate || problems.endDate) return problems;
  const name = draft.name.trim().toLowerCase();
  const others = years.filter((year) => year.id !== draft.id);
  const sameName = others.find((year) => year.name.trim().toLowerCase() === name);
  if (sameName && !problems.name) problems.name = `There is already an academic year named ${sameName.name}: give this one another name.`;
  const clash = others.find((year) => overlaps(draft, year));
  if (clash) {
    problems.startDate = `The year shares days with the academic year ${clash.name} (${span(clash)}): academic years follow one another, so ${wayOut(draft, clash)}.`;
    return problems;
  }
  const outside = termsOfYear.find((term) => term.startDate < draft.startDate || term.endDate > draft.endDate);
  if (outside) {
    const field = outside.startDate < draft.startDate ? 'startDate' : 'endDate';
    problems[field] = `${outside.name} (${span(outside)}) would fall outside the year: change that term’s dates first, or keep the year around them.`;
  }
  return problems;
}

/**
 * Problems with a term: its dates, its year (it must fall inside it) and the other unarchived
 * terms of that year (no shared day).
 */
export function checkTerm(draft: PeriodDraft, year: Period | undefined, otherTermsOfYear: readonly Period[]): FieldProblems {
  const problems = checkDates(draft, 'term');
  if (!year) {
    problems.academicYearId = 'Choose the academic year the term belongs to (add the year first if it is not listed).';
    return problems;
  }
  const name = draft.name.trim().toLowerCase();
  const others = otherTermsOfYear.filter((term) => term.id !== draft.id);
  const sameName = others.find((term) => term.name.trim().toLowerCase() === name);
  if (sameName && !problems.name) problems.name = `${year.name} already has a term named ${sameName.name}: give this one another name.`;
  if (problems.startDate || problems.endDate) return problems;
  if (draft.startDate < year.startDate) {
    problems.startDate = `The term must fall inside ${year.name} (${span(year)}), but it starts on ${draft.startDate}, before the year begins.`;
  } else if (draft.endDate > year.endDate) {
    problems.endDate = `The term must fall inside ${year.name} (${span(year)}), but it ends on ${draft.endDate}, after the year ends.`;
  } else {
    const clash = [...others].sort((a, b) => (a.startDate < b.startDate ? -1 : 1)).find((term) => overlaps(draft, term));
    if (clash) {
      problems.startDate = `The term overlaps ${clash.name} (${span(clash)}): terms of a year cannot share a day, or a bill or payment on that day would belong to two terms. Move it: ${wayOut(draft, clash)}.`;
    }
  }
  return problems;
}
