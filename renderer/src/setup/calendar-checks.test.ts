import { describe, expect, it } from 'vitest';
import { checkTerm, checkYear, overlaps, type Period } from './calendar-checks.ts';

const year2031: Period = { id: 'y31', name: '2031', startDate: '2031-01-01', endDate: '2031-12-31' };
const term1: Period = { id: 't1', name: 'Term 1', startDate: '2031-01-06', endDate: '2031-04-04' };
const term2: Period = { id: 't2', name: 'Term 2', startDate: '2031-05-05', endDate: '2031-08-01' };

describe('overlaps', () => {
  it('counts a shared first or last day as an overlap, and the next day as none', () => {
    expect(overlaps(term1, { startDate: '2031-04-04', endDate: '2031-04-30' })).toBe(true);
    expect(overlaps(term1, { startDate: '2030-12-01', endDate: '2031-01-06' })).toBe(true);
    expect(overlaps(term1, { startDate: '2031-04-05', endDate: '2031-04-30' })).toBe(false);
    expect(overlaps(term1, { startDate: '2031-02-01', endDate: '2031-02-02' })).toBe(true);
  });
});

describe('checkTerm', () => {
  it('accepts a term inside its year that shares no day with the others', () => {
    expect(checkTerm({ name: 'Term 3', startDate: '2031-09-01', endDate: '2031-11-28' }, year2031, [term1, term2])).toEqual({});
  });

  it('refuses an overlapping term, naming the term it overlaps and where it could start instead', () => {
    const problems = checkTerm({ name: 'Term 3', startDate: '2031-07-20', endDate: '2031-11-28' }, year2031, [term1, term2]);
    expect(problems.startDate).toBe(
      'The term overlaps Term 2 (2031-05-05 to 2031-08-01): terms of a year cannot share a day, or a bill or payment on that day would belong to two terms. Move it: start it on 2031-08-02 or later.',
    );
  });

  it('suggests ending earlier when the overlapping term comes later', () => {
    const problems = checkTerm({ name: 'Term 0', startDate: '2031-01-02', endDate: '2031-01-10' }, year2031, [term1]);
    expect(problems.startDate).toMatch(/overlaps Term 1 .* end it on 2031-01-05 or earlier\.$/);
  });

  it('lets a term be edited without clashing with itself', () => {
    expect(checkTerm({ id: 't1', name: 'Term 1', startDate: '2031-01-07', endDate: '2031-04-04' }, year2031, [term1, term2])).toEqual({});
  });

  it('keeps a term inside its year', () => {
    expect(checkTerm({ name: 'T', startDate: '2030-12-20', endDate: '2031-02-01' }, year2031, []).startDate).toMatch(/must fall inside 2031 \(2031-01-01 to 2031-12-31\), but it starts on 2030-12-20/);
    expect(checkTerm({ name: 'T', startDate: '2031-12-01', endDate: '2032-01-09' }, year2031, []).endDate).toMatch(/ends on 2032-01-09, after the year ends/);
  });

  it('explains missing or impossible dates, an end before the start, a missing year and a repeated name', () => {
    expect(checkTerm({ name: '', startDate: '2031-02-30', endDate: '' }, year2031, [])).toEqual({
      name: 'Give the term a name, like Term 1.',
      startDate: 'Enter the first day of the term (a date like 2026-01-05).',
      endDate: 'Enter the last day of the term (a date like 2026-04-10).',
    });
    expect(checkTerm({ name: 'T', startDate: '2031-03-01', endDate: '2031-02-01' }, year2031, []).endDate).toBe('The term would end (2031-02-01) before it starts (2031-03-01): check the two dates.');
    expect(checkTerm({ name: 'T', startDate: '2031-03-01', endDate: '2031-04-01' }, undefined, []).academicYearId).toMatch(/Choose the academic year/);
    expect(checkTerm({ name: 'term 1', startDate: '2031-09-01', endDate: '2031-09-30' }, year2031, [term1]).name).toBe('2031 already has a term named Term 1: give this one another name.');
  });
});

describe('checkYear', () => {
  it('refuses a year sharing days with another year', () => {
    const problems = checkYear({ name: '2032', startDate: '2031-12-15', endDate: '2032-12-14' }, [year2031], []);
    expect(problems.startDate).toBe('The year shares days with the academic year 2031 (2031-01-01 to 2031-12-31): academic years follow one another, so start it on 2032-01-01 or later.');
  });

  it('will not shrink a year past one of its terms', () => {
    const problems = checkYear({ id: 'y31', name: '2031', startDate: '2031-02-01', endDate: '2031-12-31' }, [year2031], [term1, term2]);
    expect(problems.startDate).toBe('Term 1 (2031-01-06 to 2031-04-04) would fall outside the year: change that term’s dates first, or keep the year around them.');
    expect(checkYear({ id: 'y31', name: '2031', startDate: '2031-01-01', endDate: '2031-12-20' }, [year2031], [term1, term2])).toEqual({});
  });

  it('refuses a second year of the same name', () => {
    expect(checkYear({ name: '2031', startDate: '2033-01-01', endDate: '2033-12-31' }, [year2031], []).name).toMatch(/already an academic year named 2031/);
  });
});
