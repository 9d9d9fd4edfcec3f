import { describe, expect, it } from 'vitest';
import { recentYearsCutoff } from './ledger-scope.ts';

const years = [
  { startDate: '2024-01-08', endDate: '2024-11-29' },
  { startDate: '2025-01-06', endDate: '2025-11-28' },
  { startDate: '2026-01-05', endDate: '2026-11-27' },
  { startDate: '2027-01-04', endDate: '2027-11-26' },
];

describe('recentYearsCutoff', () => {
  it('starts at the previous academic year', () => {
    expect(recentYearsCutoff(years, '2026-03-15')).toBe('2025-01-06');
  });

  it('between years, counts the year just ended as the active one', () => {
    expect(recentYearsCutoff(years, '2026-12-15')).toBe('2025-01-06');
    expect(recentYearsCutoff(years, '2027-01-04')).toBe('2026-01-05');
  });

  it('with one year begun, starts there; with none, limits nothing', () => {
    expect(recentYearsCutoff(years, '2024-02-01')).toBe('2024-01-08');
    expect(recentYearsCutoff(years, '2023-12-31')).toBeNull();
    expect(recentYearsCutoff([], '2026-03-15')).toBeNull();
  });

  it('does not depend on the order the years are listed in', () => {
    expect(recentYearsCutoff([...years].reverse(), '2026-03-15')).toBe('2025-01-06');
  });
});
