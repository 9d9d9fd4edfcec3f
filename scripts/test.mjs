// `npm test`: typecheck, lint, unit tests, the server suite (PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set) and the browser tests in Chromium. Stops at the first failing
// stage and ends with one summary line of test counts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Not under test-results/: Playwright empties that folder when it starts.
const results = join(process.cwd(), '.test-reports');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) console.warn(`Warning: Fee Master targets Node 24 LTS (what Electron 45 embeds); this is Node ${process.versions.node}.`);

const vitestJson = (name) => ['--reporter=default', '--reporter=json', `--outputFile.json=${join(results, `${name}.json`)}`];
const stages = [
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { name: 'unit', cmd: ['npx', 'vitest', 'run', '--project', 'unit', ...vitestJson('unit')] },
  { name: 'server', cmd: ['node', 'scripts/test-server.mjs', ...vitestJson('server-{db}')] },
  { name: 'e2e', cmd: ['npm', 'run', '-s', 'test:e2e', '--', '--reporter=list,json'], env: { PLAYWRIGHT_JSON_OUTPUT_NAME: join(results, 'e2e.json') } },
];

let failedStage = null;
for (const stage of stages) {
  console.log(`\n════ ${stage.name} ════`);
  const started = Date.now();
  const result = spawnSync(stage.cmd[0], stage.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...stage.env } });
  console.log(`════ ${stage.name}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (result.status !== 0) {
    failedStage = stage.name;
    break;
  }
}

let passed = 0;
let failed = 0;
for (const file of ['unit', 'server-pglite', 'server-postgres']) {
  const path = join(results, `${file}.json`);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
const e2ePath = join(results, 'e2e.json');
if (existsSync(e2ePath)) {
  const { stats } = JSON.parse(readFileSync(e2ePath, 'utf8'));
  passed += stats.expected;
  failed += stats.unexpected + stats.flaky;
}
if (failedStage && failed === 0) failed = 1; // a stage without test counts (typecheck, lint) failed
console.log(`\n${failedStage ? `Stopped at the failing stage '${failedStage}'.` : 'All stages passed.'}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failedStage ? 1 : 0);
