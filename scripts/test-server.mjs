// Runs the server suite on PGlite, then again on PostgreSQL when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';

const extra = process.argv.slice(2);
const runs = [{ kind: 'pglite' }];
if (process.env.TEST_DATABASE_URL) runs.push({ kind: 'postgres' });
else console.log('TEST_DATABASE_URL is not set: the server suite runs on PGlite only.');

let failed = false;
for (const { kind } of runs) {
  console.log(`\n── server suite on ${kind} ──`);
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'server', ...extra.map((a) => a.replaceAll('{db}', kind))], {
    stdio: 'inherit',
    env: { ...process.env, FEEMASTER_TEST_DB: kind },
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
