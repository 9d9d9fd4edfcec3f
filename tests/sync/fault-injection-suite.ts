// Seeded fault-injection runs against the real server in this process (PGlite or PostgreSQL,
// per FEEMASTER_TEST_DB): 2–4 desks through faulty proxies, offline periods, cut and black-holed
// connections, duplicate and twin pushes, clocks a day off, and in some runs two overlapping
// push transactions with a pull between their commits. Each run ends with the invariants.
// The runs are split over two files (shards) so both cores work on them.
import type { AddressInfo } from 'node:net';
import { inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syncDocuments } from '../../sync-server/src/db/schema.ts';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../sync-server/test/database.ts';
import { addCounts, type CounterName } from './run-journal.ts';
import { runScenario, type ServerUnderTest } from './scenario.ts';
import { buildSyncApp, enrolDesks, initTestSchool, type School } from './school.ts';
import { printSeedOnFailure, selectSeeds } from './seeds.ts';
import { gateTransactions, type TransactionGate } from './transaction-gate.ts';

/** Runs in CI over all shards together (SYNC_RUNS overrides). */
const CI_RUNS = 200;

export interface Shard {
  shard: number;
  shards: number;
  /** The test file, for the command that replays a failed seed. */
  file: string;
}

export function defineFaultInjectionSuite({ shard, shards, file }: Shard): void {
  const { seeds, replay } = selectSeeds({ ciRuns: CI_RUNS, shard, shards });
  let database: TestDatabase;
  let gate: TransactionGate;
  let app: FastifyInstance | undefined;
  let school: School;
  let server: ServerUnderTest;
  const totals = new Map<CounterName, number>();

  describe(`fault injection, in-process server on ${testDatabaseKind} (shard ${String(shard + 1)}/${String(shards)})`, () => {
    beforeAll(async () => {
      database = await openTestDatabase();
      const init = await initTestSchool(database);
      gate = gateTransactions(database);
      const built = await buildSyncApp(gate.database);
      app = built.app;
      school = await enrolDesks(database, built, init);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      server = { kind: testDatabaseKind, port: () => port, url: () => `http://127.0.0.1:${String(port)}`, gate, database };
    });

    afterAll(async () => {
      await app?.close();
      await database.close();
    });

    // Each run starts from an empty feed; the school, desks and sign-ins stay.
    beforeEach(async () => {
      await database.db.delete(syncDocuments).where(inArray(syncDocuments.collection, ['students', 'ledger']));
    });

    for (const [i, seed] of seeds.entries()) {
      it(`run ${String(i + 1)}/${String(seeds.length)}, seed ${String(seed)}`, { timeout: 120_000 }, async () => {
        printSeedOnFailure(seed, file);
        const { journal, failures } = await runScenario(seed, server, school, { overlapRate: 0.15, kills: 0 });
        addCounts(totals, journal);
        expect(gate.armed(), 'a transaction gate was armed and never taken').toBe(0);
        expect(failures, `seed ${String(seed)}: ${failures.join('\n')}`).toEqual([]);
      });
    }

    if (!replay && seeds.length >= 50) {
      // Guards the suite itself: runs in which no fault happened would prove nothing.
      it('exercised every kind of fault across the runs', () => {
        const expected: CounterName[] = ['offlinePeriods', 'failedPushes', 'failedPulls', 'repeatedPushes', 'twinPushes', 'conflicts', 'streamDrops', 'overlapEpisodes'];
        const happened = Object.fromEntries(expected.map((name) => [name, (totals.get(name) ?? 0) > 0]));
        expect(happened).toEqual(Object.fromEntries(expected.map((name) => [name, true])));
      });
    }
  });
}
