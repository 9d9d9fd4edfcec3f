// A family's share of a child's fees as people type it (a percentage) and as it is stored (basis
// points, 10 000 = all of it), converted without a float: "12.5" is 1 250, never 1 249.99….

/** Basis points of a typed percentage (0–100, at most two decimals); null when it is not one. */
export function percentToBasisPoints(typed: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?\s*%?$/.exec(typed.trim());
  if (!match) return null;
  const points = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return points <= 10_000 ? points : null;
}

/** The percentage of basis points, as the form shows it: 10 000 → "100", 1 250 → "12.5". */
export function basisPointsToPercent(points: number): string {
  const whole = Math.floor(points / 100);
  const rest = points % 100;
  return rest === 0 ? String(whole) : `${String(whole)}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}
