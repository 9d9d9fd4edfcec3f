// Validates replicated documents against their core schema, returning readable problems instead
// of throwing. Nothing is compiled at run time (the desktop CSP forbids eval): a document is
// checked by the schema's check compiled ahead of time (./schemas/generated) when there is one,
// and TypeBox's interpreter explains what is wrong only when the check fails.
import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';

export interface ValidationProblem {
  /** JSON pointer of the offending field, '' for the whole document. */
  path: string;
  message: string;
}

/** Removes replication bookkeeping (`_deleted`, `_rev`, `_meta`, `_attachments`) before validation. */
export function withoutReplicationFields(doc: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    if (key.charCodeAt(0) !== 95) clean[key] = doc[key]; // 95: '_'
  }
  return clean;
}

/** True when the value matches one schema exactly (a check compiled from it ahead of time). */
export type SchemaCheck = (value: unknown) => boolean;

export function validateAgainst(schema: TSchema, doc: unknown, check: SchemaCheck = (value) => Value.Check(schema, value)): ValidationProblem[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return [{ path: '', message: 'must be a JSON object' }];
  }
  const value = withoutReplicationFields(doc as Record<string, unknown>);
  const problems: ValidationProblem[] = hasNul(value) ? nulProblems(value, '') : [];
  if (check(value)) return problems;
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const problem = describe(error);
    const key = `${problem.path}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
    if (problems.length >= 20) break;
  }
  return problems;
}

/** Whether a NUL appears anywhere (the common answer, no, without building a problem list). */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null) {
    // Own enumerable keys, as Object.entries gives them, without building the pairs (every document an import checks comes here).
    for (const key in value) {
      if (Object.hasOwn(value, key) && (key.includes('\u0000') || hasNul((value as Record<string, unknown>)[key]))) return true;
    }
  }
  return false;
}

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, so a NUL anywhere would fail the whole
 * upload on the server; refuse it here, where the desk and the server both look.
 */
function nulProblems(value: unknown, path: string): ValidationProblem[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ path, message: `${path.replace(/^\//, '') || 'document'} contains a NUL character (U+0000); remove it` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => nulProblems(item, `${path}/${index}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      key.includes('\u0000') ? [{ path, message: 'a field name contains a NUL character (U+0000); remove it' }] : nulProblems(item, `${path}/${key}`),
    );
  }
  return [];
}

function describe(error: ValueError): ValidationProblem {
  const field = error.path.replace(/^\//, '') || 'document';
  if (error.value === undefined && error.path !== '') {
    return { path: error.path, message: `${field} is required` };
  }
  if (error.message === 'Unexpected property') {
    return { path: error.path, message: `${field} is not a known field` };
  }
  return { path: error.path, message: `${field}: ${error.message.toLowerCase()}` };
}

export function formatProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => p.message).join('; ');
}

/**
 * Validates a document of a discriminated collection (ledger `type`, reference `kind`) against
 * the one variant its discriminator names, so problems speak of that variant's fields.
 */
export function validateDiscriminated(
  variants: Readonly<Record<string, TSchema>>,
  field: string,
  doc: unknown,
  /** The compiled check of each variant, by its discriminator value. */
  checks?: Readonly<Record<string, SchemaCheck>>,
): ValidationProblem[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [{ path: '', message: 'must be a JSON object' }];
  const tag = (doc as Record<string, unknown>)[field];
  const variant = typeof tag === 'string' && Object.hasOwn(variants, tag) ? variants[tag] : undefined;
  if (!variant) {
    return [{ path: `/${field}`, message: `${field} must be one of ${Object.keys(variants).join(', ')}` }];
  }
  const check = checks && typeof tag === 'string' && Object.hasOwn(checks, tag) ? checks[tag] : undefined;
  return validateAgainst(variant, doc, check);
}
