import { describe, expect, it } from 'vitest';
import { threeWayMerge, valueAtPointer, withValueAtPointer } from './merge.ts';

const base = {
  id: 's1',
  schoolId: 'k1',
  firstName: 'Amani',
  lastName: 'Otieno',
  phone: '0700 000 001',
  data: { code: 'MAIN', level: 4 },
  tags: ['day'],
  createdAt: '2026-01-05T08:00:00.000Z',
  updatedAt: '2026-01-05T08:00:00.000Z',
  _deleted: false,
};

describe('threeWayMerge', () => {
  it('keeps edits to different fields from both sides', () => {
    const server = { ...base, firstName: 'Amanda', updatedAt: '2026-02-01T09:00:00.000Z' };
    const desk = { ...base, phone: '0711 222 333', updatedAt: '2026-02-01T08:00:00.000Z' };
    const { merged, conflicts } = threeWayMerge(base, server, desk);
    expect(conflicts).toEqual([]);
    expect(merged).toMatchObject({ firstName: 'Amanda', phone: '0711 222 333', lastName: 'Otieno', updatedAt: '2026-02-01T09:00:00.000Z', _deleted: false });
  });

  it('merges nested objects field by field', () => {
    const server = { ...base, data: { code: 'EAST', level: 4 } };
    const desk = { ...base, data: { code: 'MAIN', level: 5 } };
    const { merged, conflicts } = threeWayMerge(base, server, desk);
    expect(conflicts).toEqual([]);
    expect(merged.data).toEqual({ code: 'EAST', level: 5 });
  });

  it('keeps the server value on a same-field conflict and reports both sides', () => {
    const server = { ...base, phone: '0722 000 000' };
    const desk = { ...base, phone: '0733 000 000', lastName: 'Otieno-Kamau' };
    const { merged, conflicts } = threeWayMerge(base, server, desk);
    expect(merged.phone).toBe('0722 000 000');
    expect(merged.lastName).toBe('Otieno-Kamau');
    expect(conflicts).toEqual([{ path: '/phone', base: '0700 000 001', server: '0722 000 000', desk: '0733 000 000', kept: 'server' }]);
  });

  it('gives the same result whatever the clocks say', () => {
    const server = { ...base, phone: '0722 000 000', updatedAt: '2026-02-01T09:00:00.000Z' };
    const skewedDesk = { ...base, phone: '0733 000 000', updatedAt: '2026-02-02T09:00:00.000Z' };
    expect(threeWayMerge(base, server, skewedDesk).merged.phone).toBe('0722 000 000');
    expect(threeWayMerge(base, server, { ...skewedDesk, updatedAt: '2026-01-31T09:00:00.000Z' }).merged.phone).toBe('0722 000 000');
  });

  it('treats arrays as one value', () => {
    const { merged, conflicts } = threeWayMerge(base, { ...base, tags: ['day', 'bus'] }, { ...base, tags: ['boarder'] });
    expect(merged.tags).toEqual(['day', 'bus']);
    expect(conflicts.map((c) => c.path)).toEqual(['/tags']);
  });

  it('removes a field one side removed when the other left it alone', () => {
    const desk: Record<string, unknown> = { ...base };
    delete desk.phone;
    const { merged, conflicts } = threeWayMerge(base, { ...base, firstName: 'Amanda' }, desk);
    expect(conflicts).toEqual([]);
    expect('phone' in merged).toBe(false);
    expect(merged.firstName).toBe('Amanda');
  });

  it('lets a delete win over an edit and reports it', () => {
    const deleted = threeWayMerge(base, { ...base, phone: '0722 000 000' }, { ...base, _deleted: true });
    expect(deleted.merged._deleted).toBe(true);
    expect(deleted.conflicts).toEqual([{ path: '/_deleted', base: false, server: false, desk: true, kept: 'desk' }]);
    const serverDeleted = threeWayMerge(base, { ...base, _deleted: true }, { ...base, phone: '0733 000 000' });
    expect(serverDeleted.merged._deleted).toBe(true);
    expect(serverDeleted.conflicts.map((c) => [c.path, c.kept])).toEqual([['/_deleted', 'server']]);
  });

  it('does not report a delete when the other side changed nothing', () => {
    const { merged, conflicts } = threeWayMerge(base, base, { ...base, _deleted: true });
    expect(merged._deleted).toBe(true);
    expect(conflicts).toEqual([]);
  });

  it('without a common base, every differing field is a conflict the server keeps', () => {
    const server = { ...base, phone: '0722 000 000' };
    const desk = { ...base, phone: '0733 000 000', firstName: 'Amanda' };
    const { merged, conflicts } = threeWayMerge(null, server, desk);
    expect(merged).toMatchObject({ phone: '0722 000 000', firstName: 'Amani' });
    expect(conflicts.map((c) => c.path).sort()).toEqual(['/firstName', '/phone']);
  });

  it('never conflicts on identity fields and takes them from the server', () => {
    const { merged, conflicts } = threeWayMerge(base, base, { ...base, createdAt: '2030-01-01T00:00:00.000Z' });
    expect(conflicts).toEqual([]);
    expect(merged.createdAt).toBe(base.createdAt);
  });
});

describe('JSON pointers', () => {
  it('reads and writes nested values, escaping ~ and /', () => {
    const doc = { data: { 'a/b': 1, 'c~d': 2 } };
    expect(valueAtPointer(doc, '/data/a~1b')).toBe(1);
    expect(valueAtPointer(doc, '/data/c~0d')).toBe(2);
    expect(withValueAtPointer(doc, '/data/a~1b', 5)).toEqual({ data: { 'a/b': 5, 'c~d': 2 } });
    expect(withValueAtPointer(doc, '/data/c~0d', undefined)).toEqual({ data: { 'a/b': 1 } });
    expect(doc.data['a/b']).toBe(1);
  });
});
