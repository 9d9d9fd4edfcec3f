// Export benchmark: 100,000 payments of a large school (20,000 students, 12,000 families, four
// desks, a term of cash, M-Pesa, transfers and cheques, 3% voided) written to XLSX, CSV and JSON
// by core's streaming writers, in Node, after building the rows from the documents as the desk
// and the server do; then the same export through the server's GET /api/v1/bulk/export-payments
// on PGlite (and PostgreSQL with --backends). Prints a table with the target (100,000 payments to
// XLSX in 10 s or less) and writes .bench/export.json. Measures and reports;
// asserts nothing.
//
//   npx tsx tests/perf/export-bench.ts                         100,000 payments, 3 rounds, PGlite
//   npx tsx tests/perf/export-bench.ts --payments 10000 --rounds 1 --backends none
//   npx tsx tests/perf/export-bench.ts --backends pglite,postgres   (FEEMASTER_BENCH_DATABASE_URL)
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { newId, paymentExportRows, type ExportFormat, type ExportSource, type LoginResponse, type OfficeDoc, type PaymentExportRow } from '@feemaster/core';
import { buildApp } from '../../sync-server/src/app.ts';
import { memberships, syncDocuments, users } from '../../sync-server/src/db/schema.ts';
import { initSchool } from '../../sync-server/src/setup/init-school.ts';
import { schoolDocuments } from '../../sync-server/src/bulk/school-documents.ts';
import { OWNER } from '../../sync-server/test/fixtures.ts';
import { DEFAULT_ADMIN_URL, openBenchDatabase, type BackendKind } from './bench-server.ts';
import { generatePaymentSchool, timePaymentWriter, type PaymentSchool, type TimedWrite } from './payment-school.ts';
import { median } from './report.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    payments: { type: 'string', default: '100000' },
    students: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    /** Server backends to time the route on: pglite, postgres, or none. */
    backends: { type: 'string', default: 'pglite' },
    out: { type: 'string', default: resolve(repoRoot, '.bench/export.json') },
  },
  strict: true,
});
const whole = (name: 'payments' | 'students' | 'rounds'): number => {
  const value = Number(String(args[name]).replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0`);
  return value;
};
const PAYMENTS = whole('payments');
const STUDENTS = whole('students');
const ROUNDS = whole('rounds');
const BACKENDS = String(args.backends)
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b !== '' && b !== 'none')
  .map((b): BackendKind => {
    if (b === 'pglite' || b === 'postgres') return b;
    throw new Error(`--backends takes pglite, postgres or none, not '${b}'`);
  });
const TARGET_XLSX_SECONDS = 10;
const TIME_ZONE = 'Africa/Nairobi';
const CURRENCY = 'KES';

const started = Date.now();
const log = (line: string): void => console.log(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}`);

/** The generated school, with the ids it was stamped with. */
type School = PaymentSchool & { schoolId: string };

function generateSchool(schoolId: string, officeId: string, deviceIds: readonly string[]): School {
  return { schoolId, ...generatePaymentSchool({ schoolId, officeId, deviceIds, students: STUDENTS, payments: PAYMENTS, currency: CURRENCY }) };
}

const timeWriter = (format: ExportFormat, rows: readonly PaymentExportRow[]): Promise<TimedWrite> => timePaymentWriter(format, rows, { currency: CURRENCY, timeZone: TIME_ZONE });

interface ServerTiming {
  backend: BackendKind;
  format: ExportFormat;
  seconds: number;
  bytes: number;
  rounds: number[];
}

/** The school stored on a fresh database, the real app in this process, the owner downloading each format. */
async function timeServer(backend: BackendKind, school: (schoolId: string, officeId: string, deviceIds: readonly string[]) => School): Promise<ServerTiming[]> {
  const bench = await openBenchDatabase(backend, process.env.FEEMASTER_BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL);
  try {
    const { db } = bench.database;
    const { schoolId } = await initSchool(db, { schoolName: 'Hillside Academy', currency: CURRENCY, timezone: TIME_ZONE, ownerName: 'Grace Wanjiru', ownerEmail: OWNER.email, ownerPassword: OWNER.password });
    const [office] = await schoolDocuments<OfficeDoc>(db, schoolId, 'reference', ['office']);
    if (!office) throw new Error('the new school has no office');
    const deviceIds = [newId(), newId(), newId(), newId()];
    const data = school(schoolId, office.id, deviceIds);
    let seq = 10;
    const stored = (collection: string, docs: readonly { id: string }[]) => docs.map((doc) => ({ collection, id: doc.id, schoolId, seq: (seq += 1), deleted: false, data: doc }));
    const devices = deviceIds.map((id, i) => ({ id, schoolId, kind: 'device', name: `Desk ${String(i + 1)}`, data: { officeId: office.id, code: `D0${String(i + 1)}` }, createdAt: office.createdAt, updatedAt: office.createdAt }));
    const rows = [...stored('reference', devices), ...stored('students', data.students), ...stored('payers', data.payers), ...stored('ledger', data.payments), ...stored('ledger', data.voids)];
    log(`${backend}: storing ${rows.length.toLocaleString('en-US')} documents`);
    for (let i = 0; i < rows.length; i += 2_000) await db.insert(syncDocuments).values(rows.slice(i, i + 2_000));
    for (const [id, name] of data.staff) {
      await db.insert(users).values({ id, email: `${id}@hillside.example`, displayName: name, passwordHash: 'not-used' });
      await db.insert(memberships).values({ userId: id, schoolId, role: 'cashier' });
    }
    const { app } = await buildApp({ database: bench.database, setupCode: null, authRateLimitPerMinute: 1000 });
    try {
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
      const token = login.json<LoginResponse>().accessToken;
      const timings: ServerTiming[] = [];
      for (const format of ['xlsx', 'csv'] as const) {
        const rounds: number[] = [];
        let bytes = 0;
        for (let round = 0; round < ROUNDS; round += 1) {
          const begin = performance.now();
          const res = await app.inject({ method: 'GET', url: `/api/v1/bulk/export-payments?format=${format}&includeVoided=true`, headers: { authorization: `Bearer ${token}` } });
          rounds.push((performance.now() - begin) / 1000);
          if (res.statusCode !== 200) throw new Error(`the export answered ${String(res.statusCode)}: ${res.body.slice(0, 300)}`);
          bytes = res.rawPayload.length;
        }
        timings.push({ backend, format, seconds: median(rounds), bytes, rounds });
        log(`${backend}: GET export-payments?format=${format} ${median(rounds).toFixed(2)} s (${rounds.map((r) => r.toFixed(2)).join(', ')})`);
      }
      return timings;
    } finally {
      await app.close();
    }
  } finally {
    await bench.dispose();
  }
}

const mb = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;
const secs = (seconds: number): string => `${seconds.toFixed(2)} s`;

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const schoolId = newId();
  const officeId = newId();
  const deviceIds = [newId(), newId(), newId(), newId()];
  log(`generating ${PAYMENTS.toLocaleString('en-US')} payments for ${STUDENTS.toLocaleString('en-US')} students`);
  const school = generateSchool(schoolId, officeId, deviceIds);
  const reference = [
    { id: officeId, schoolId, kind: 'office' as const, name: 'Main office', data: { code: 'MAIN' }, createdAt: '2025-01-02T06:00:00.000Z', updatedAt: '2025-01-02T06:00:00.000Z' },
    ...deviceIds.map((id, i) => ({ id, schoolId, kind: 'device' as const, name: `Desk ${String(i + 1)}`, data: { officeId, code: `D0${String(i + 1)}` }, createdAt: '2025-01-02T06:00:00.000Z', updatedAt: '2025-01-02T06:00:00.000Z' })),
  ];
  const source: ExportSource = { students: school.students, payers: school.payers, reference, ledger: [...school.payments, ...school.voids], staffNames: school.staff };

  const buildRounds: number[] = [];
  let rows: PaymentExportRow[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const begin = performance.now();
    rows = paymentExportRows(source, { includeVoided: true }, { timeZone: TIME_ZONE });
    buildRounds.push((performance.now() - begin) / 1000);
  }
  log(`rows from documents: ${secs(median(buildRounds))}, ${rows.length.toLocaleString('en-US')} rows`);

  const writers: Record<ExportFormat, TimedWrite & { rounds: number[] }> = { xlsx: { seconds: 0, bytes: 0, rounds: [] }, csv: { seconds: 0, bytes: 0, rounds: [] }, json: { seconds: 0, bytes: 0, rounds: [] } };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const format of ['xlsx', 'csv', 'json'] as const) {
      const timed = await timeWriter(format, rows);
      writers[format].rounds.push(timed.seconds);
      writers[format].bytes = timed.bytes;
    }
  }
  for (const format of ['xlsx', 'csv', 'json'] as const) {
    writers[format].seconds = median(writers[format].rounds);
    log(`${format}: ${secs(writers[format].seconds)} (${writers[format].rounds.map((r) => r.toFixed(2)).join(', ')}), ${mb(writers[format].bytes)}`);
  }

  const server: ServerTiming[] = [];
  for (const backend of BACKENDS) server.push(...(await timeServer(backend, (id, office, desks) => generateSchool(id, office, desks))));

  const count = rows.length;
  const spread = (rounds: readonly number[]): string => (rounds.length > 1 ? ` (${String(rounds.length)} rounds: ${secs(Math.min(...rounds))}–${secs(Math.max(...rounds))})` : '');
  const table: { measurement: string; rows: number; result: string; target: string; met: boolean | null }[] = [
    { measurement: 'rows from documents (paymentExportRows)', rows: count, result: `${secs(median(buildRounds))}${spread(buildRounds)}`, target: '', met: null },
    { measurement: 'exportXlsx, Node', rows: count, result: `${secs(writers.xlsx.seconds)}, ${mb(writers.xlsx.bytes)}${spread(writers.xlsx.rounds)}`, target: `≤ ${String(TARGET_XLSX_SECONDS)} s`, met: writers.xlsx.seconds <= TARGET_XLSX_SECONDS },
    {
      measurement: '  rows from documents + exportXlsx',
      rows: count,
      result: secs(median(buildRounds) + writers.xlsx.seconds),
      target: `≤ ${String(TARGET_XLSX_SECONDS)} s`,
      met: median(buildRounds) + writers.xlsx.seconds <= TARGET_XLSX_SECONDS,
    },
    { measurement: 'exportCsv, Node', rows: count, result: `${secs(writers.csv.seconds)}, ${mb(writers.csv.bytes)}${spread(writers.csv.rounds)}`, target: '', met: null },
    { measurement: 'exportJson, Node', rows: count, result: `${secs(writers.json.seconds)}, ${mb(writers.json.bytes)}${spread(writers.json.rounds)}`, target: '', met: null },
    ...server.map((s) => ({
      measurement: `GET /api/v1/bulk/export-payments?format=${s.format}, ${s.backend === 'pglite' ? 'PGlite' : 'PostgreSQL'} (load + rows + write)`,
      rows: count,
      result: `${secs(s.seconds)}, ${mb(s.bytes)}${spread(s.rounds)}`,
      target: s.format === 'xlsx' ? `≤ ${String(TARGET_XLSX_SECONDS)} s` : '',
      met: s.format === 'xlsx' ? s.seconds <= TARGET_XLSX_SECONDS : null,
    })),
  ];
  const header = ['measurement', 'rows', 'result', 'target', 'met'];
  const cells = table.map((r) => [r.measurement, r.rows.toLocaleString('en-US'), r.result, r.target, r.met === null ? '' : r.met ? 'met' : 'NOT MET']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (cell: readonly string[]): string => cell.map((text, i) => (i === 1 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  console.log(`\nFee Master export benchmark: ${count.toLocaleString('en-US')} payments (${school.voids.length.toLocaleString('en-US')} voided), ${STUDENTS.toLocaleString('en-US')} students, ${school.payers.length.toLocaleString('en-US')} families; median of ${String(ROUNDS)} round(s)\n`);
  console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n'));
  console.log(`\nMachine: ${String(cpus().length)} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}.`);

  const report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version, loadAverageAtStart: loadAtStart },
    school: { payments: count, voided: school.voids.length, students: STUDENTS, families: school.payers.length, timeZone: TIME_ZONE, currency: CURRENCY },
    rounds: ROUNDS,
    targets: { xlsxSeconds: TARGET_XLSX_SECONDS },
    rowsFromDocuments: { seconds: median(buildRounds), rounds: buildRounds },
    writers,
    server,
    table,
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Wrote ${args.out}`);
}

await main();
