// Document validation: what PostgreSQL cannot store (U+0000) is refused wherever it hides, before
// the schema's own check.
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { validateAgainst } from './validation.ts';

const Family = Type.Object({ name: Type.String(), contacts: Type.Array(Type.Object({ value: Type.String() })), notes: Type.Optional(Type.Record(Type.String(), Type.String())) });

describe('validateAgainst', () => {
  it('accepts a document without NUL', () => {
    expect(validateAgainst(Family, { name: 'Otieno family', contacts: [{ value: '+254712345678' }] })).toEqual([]);
  });

  it('refuses a NUL in a nested value, naming where it is', () => {
    expect(validateAgainst(Family, { name: 'Otieno', contacts: [{ value: '+2547\u00001' }] })).toEqual([{ path: '/contacts/0/value', message: 'contacts/0/value contains a NUL character (U+0000); remove it' }]);
  });

  it('refuses a NUL in a field name', () => {
    expect(validateAgainst(Family, { name: 'Otieno', contacts: [], notes: { 'a\u0000b': 'x' } })).toContainEqual({ path: '/notes', message: 'a field name contains a NUL character (U+0000); remove it' });
  });

  it('looks only at the document’s own fields', () => {
    const inherited = Object.assign(Object.create({ stray: 'a\u0000b' }) as object, { name: 'Otieno', contacts: [] });
    expect(validateAgainst(Family, inherited)).toEqual([]);
  });
});
