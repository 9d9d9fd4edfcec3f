import { describe, expect, it } from 'vitest';
import { placeProblems } from './field-problems.ts';

describe('placeProblems', () => {
  const rules = [
    { path: '/name', field: 'name', plain: 'Give it a name.' },
    { path: '/data/value', field: 'value', plain: 'Enter an amount above nothing.' },
    { path: '/lines/*/amount', field: 'lines.*.amount', plain: 'Enter the amount of this line.' },
  ];

  it('puts each problem beside its field in plain words, one per field, nested paths under their field', () => {
    const placed = placeProblems(
      [
        { path: '/name', message: 'name: expected string length greater or equal to 1' },
        { path: '/name', message: "name: expected string to match '\\s'" },
        { path: '/data/value/amount', message: 'data/value/amount: expected integer' },
        { path: '/lines/3/amount', message: 'lines/3/amount: expected integer to be greater or equal to 1' },
      ],
      rules,
    );
    expect(placed).toEqual({ fields: { name: 'Give it a name.', value: 'Enter an amount above nothing.', 'lines.3.amount': 'Enter the amount of this line.' }, other: [] });
  });

  it('keeps problems no field explains, in the schema’s words, so none is lost', () => {
    const placed = placeProblems([{ path: '/names', message: 'names is not a known field' }, { path: '/lines/x/amount', message: 'odd' }], rules);
    expect(placed).toEqual({ fields: {}, other: ['names is not a known field', 'odd'] });
  });
});
