// Writes core's compiled schema checks (see core/src/schemas/schema-checks-source.ts).
import { writeFile } from 'node:fs/promises';
import { schemaChecksSource } from '../core/src/schemas/schema-checks-source.ts';

const dir = new URL('../core/src/schemas/generated/', import.meta.url);
const { js, dts } = schemaChecksSource();
await writeFile(new URL('schema-checks.js', dir), js);
await writeFile(new URL('schema-checks.d.ts', dir), dts);
console.log('core/src/schemas/generated/schema-checks.{js,d.ts} written');
