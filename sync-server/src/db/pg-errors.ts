// PostgreSQL's error fields as both drivers report them (node-postgres and PGlite), through the
// wrappers drizzle puts around them.

/** The constraint a unique violation (SQLSTATE 23505) broke, or null for any other error. */
export function uniqueViolationOf(error: unknown): string | null {
  for (let cause: unknown = error, depth = 0; cause && typeof cause === 'object' && depth < 5; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    const { code, constraint } = cause as { code?: unknown; constraint?: unknown };
    if (code === '23505') return typeof constraint === 'string' ? constraint : '';
  }
  return null;
}
