// Places validation problems beside the form fields they concern, in words a bursar can act on.
// The schema's own messages ("data/code: expected string to match '^[a-z0-9]+$'") are for
// developers; each form says per field what it must hold.
import type { ValidationProblem } from '@feemaster/core';

/** Problems by form field; a row field is named with its row number ('lines.2.amount'). */
export type FieldProblems = Record<string, string>;

/** One field of a form: the schema path it fills ('*' stands for a row number) and what it must hold. */
export interface FieldRule {
  path: string;
  field: string;
  plain: string;
}

// Every special character but '*', which stands for a row number.
const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * Each problem goes to the first rule whose path is the problem's path or contains it (a rule for
 * '/data/value' takes '/data/value/amount'); one problem per field. Problems no rule places are
 * returned in `other` with the schema's words, so none is ever dropped.
 */
export function placeProblems(problems: readonly ValidationProblem[], rules: readonly FieldRule[]): { fields: FieldProblems; other: string[] } {
  const fields: FieldProblems = {};
  const other: string[] = [];
  const matchers = rules.map((rule) => ({ rule, pattern: new RegExp(`^${escape(rule.path).replaceAll('*', '(\\d+)')}(?:/|$)`) }));
  for (const problem of problems) {
    let placed = false;
    for (const { rule, pattern } of matchers) {
      const match = pattern.exec(problem.path);
      if (!match) continue;
      let row = 0;
      const field = rule.field.replace(/\*/g, () => match[++row] ?? '*');
      fields[field] ??= rule.plain;
      placed = true;
      break;
    }
    if (!placed && !other.includes(problem.message)) other.push(problem.message);
  }
  return { fields, other };
}

/** True when nothing is wrong. */
export function noProblems(problems: FieldProblems): boolean {
  return Object.keys(problems).length === 0;
}
