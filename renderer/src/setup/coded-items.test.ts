import { describe, expect, it } from 'vitest';
import { checkCoded, codedData, type CodedItem } from './coded-items.ts';

const grade4: CodedItem = { id: 'c4', name: 'Grade 4 East', data: { code: 'G4E', level: 4 } };
const oldGrade5: CodedItem = { id: 'c5', name: 'Grade 5 East', archived: true, data: { code: 'G5E', level: 5 } };

describe('checkCoded', () => {
  it('accepts a new class with a lower-case code, stored upper case, and no level', () => {
    const draft = { name: ' Grade 5 East ', code: 'g5e', level: '' };
    expect(checkCoded('class', draft, [grade4, oldGrade5])).toEqual({});
    expect(codedData('class', draft)).toEqual({ code: 'G5E' });
  });

  it('refuses a code or name another unarchived item of the kind already has, but not its own', () => {
    expect(checkCoded('class', { name: 'grade 4 east', code: 'G4E', level: '4' }, [grade4])).toEqual({
      name: 'There is already a class named Grade 4 East: give this one another name, or edit that one.',
      code: 'Code G4E is already used by Grade 4 East: choose another code.',
    });
    expect(checkCoded('class', { id: 'c4', name: 'Grade 4 East', code: 'G4E', level: '4' }, [grade4])).toEqual({});
  });

  it('requires a code for fee and student categories only, and explains what a code may hold', () => {
    expect(checkCoded('class', { name: 'Nursery', code: '', level: '0' }, [])).toEqual({});
    expect(checkCoded('feeCategory', { name: 'Tuition', code: '', level: '' }, []).code).toBe('Give the fee category a short code. Use 1 to 12 capital letters or digits, no spaces (like TUI).');
    expect(checkCoded('studentCategory', { name: 'Boarder', code: 'BR-D', level: '' }, []).code).toBe('Use 1 to 12 capital letters or digits, no spaces (like BRD).');
  });

  it('takes a level from 0 to 30 only', () => {
    expect(checkCoded('class', { name: 'X', code: '', level: '31' }, []).level).toMatch(/from 0 to 30/);
    expect(checkCoded('class', { name: 'X', code: '', level: '2.5' }, []).level).toMatch(/whole number/);
    expect(codedData('class', { name: 'X', code: '', level: '12' })).toEqual({ level: 12 });
  });
});
