// The schema checks compiled ahead of time (core/src/schemas/generated) are what the schemas
// compile to now: a schema changed without `npm run generate:validators` fails here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaChecksSource } from '../../core/src/schemas/schema-checks-source.ts';

const generated = new URL('../../core/src/schemas/generated/', import.meta.url);

describe('generated schema checks', () => {
  it('are up to date with the schemas (run `npm run generate:validators` after changing one)', async () => {
    const { js, dts } = schemaChecksSource();
    expect(await readFile(new URL('schema-checks.js', generated), 'utf8')).toBe(js);
    expect(await readFile(new URL('schema-checks.d.ts', generated), 'utf8')).toBe(dts);
  });
});
