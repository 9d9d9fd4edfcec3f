// Seeded runs against the real server as a child process (server.ts, as an office runs it),
// killed with SIGKILL while a desk's big push is in flight and started again on the same data
// (a PGlite data directory, or the PostgreSQL database), twice per run; the desks keep taking
// payments and editing students throughout, through their faulty proxies. Each run ends with
// the same invariants as the in-process runs, and each killed push must be all or nothing.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../sync-server/src/db/client.ts';
import { syncDocuments } from '../../sync-server/src/db/schema.ts';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../sync-server/test/database.ts';
import { startChildServer, type ChildDatabase, type ChildServer } from './child-server.ts';
import { addCounts, type CounterName } from './run-journal.ts';
import { runScenario, type ServerUnderTest } from './scenario.ts';
import { asTestDatabase, buildSyncApp, enrolDesks, initTestSchool, type School } from './school.ts';
import type { Shard } from './fault-injection-suite.ts';
import { printSeedOnFailure, selectSeeds } from './seeds.ts';

const KILLS_PER_RUN = 2;

async function setUpSchool(database: TestDatabase): Promise<School> {
  const init = await initTestSchool(database);
  const built = await buildSyncApp(database);
  try {
    return await enrolDesks(database, built, init);
  } finally {
    await built.app.close();
  }
}

/** A per-file test database's URL (its name, on the TEST_DATABASE_URL server). */
function urlOf(database: TestDatabase): string {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('FEEMASTER_TEST_DB=postgres needs TEST_DATABASE_URL');
  const url = new URL(admin);
  url.pathname = new URL(database.location).pathname;
  return url.toString();
}

export function defineServerKillSuite({ shard, shards, file }: Shard): void {
  // A child process is slow to start (PGlite boots in seconds): one run per shard in CI, one
  // per hundred runs in the long suite.
  const { seeds, replay } = selectSeeds({ ciRuns: shards, shard, shards, runsFor: (requested) => Math.max(1, Math.ceil(requested / 100 / shards)) });
  let postgres: TestDatabase | undefined;
  /** PGlite: the set-up school's data directory, copied for each run. */
  let template: string | undefined;
  let runDir: string | undefined;
  let school: School;
  const totals = new Map<CounterName, number>();

  const target = (): ChildDatabase => {
    if (postgres) return { kind: 'postgres', url: urlOf(postgres) };
    if (!runDir) throw new Error('no PGlite data directory for this run');
    return { kind: 'pglite', dataDir: runDir };
  };

  describe(`SIGKILL in the middle of a push, child-process server on ${testDatabaseKind} (shard ${String(shard + 1)}/${String(shards)})`, () => {
    beforeAll(async () => {
      if (testDatabaseKind === 'postgres') {
        // Its own database: one school per database, and the in-process runs have theirs.
        postgres = await openTestDatabase();
        school = await setUpSchool(postgres);
        return;
      }
      template = await mkdtemp(join(tmpdir(), 'feemaster-kill-template-'));
      // config.ts keeps PGlite's files in <FEEMASTER_DATA_DIR>/pglite.
      const local = await openDatabase({ kind: 'pglite', dataDir: join(template, 'pglite') });
      try {
        school = await setUpSchool(asTestDatabase(local));
      } finally {
        await local.close();
      }
    });

    afterAll(async () => {
      await postgres?.close();
      if (template) await rm(template, { recursive: true, force: true });
    });

    beforeEach(async () => {
      if (postgres) {
        await postgres.db.delete(syncDocuments).where(inArray(syncDocuments.collection, ['students', 'ledger']));
      } else if (template) {
        runDir = await mkdtemp(join(tmpdir(), 'feemaster-kill-run-'));
        await cp(template, runDir, { recursive: true });
      }
    });

    afterEach(async () => {
      if (runDir) await rm(runDir, { recursive: true, force: true });
      runDir = undefined;
    });

    for (const [i, seed] of seeds.entries()) {
      it(`run ${String(i + 1)}/${String(seeds.length)}, seed ${String(seed)}`, { timeout: 300_000 }, async () => {
        printSeedOnFailure(seed, file);
        const data = target();
        let child: ChildServer = await startChildServer(data);
        const server: ServerUnderTest = {
          kind: testDatabaseKind,
          port: () => child.port,
          url: () => child.url,
          restart: {
            kill: () => child.kill(),
            start: async () => {
              child = await startChildServer(data);
            },
          },
        };
        try {
          const { journal, failures } = await runScenario(seed, server, school, { overlapRate: 0, kills: KILLS_PER_RUN });
          addCounts(totals, journal);
          expect(journal.counts.get('serverKills'), 'the server was not killed as planned').toBe(KILLS_PER_RUN);
          expect(failures, `seed ${String(seed)}: ${failures.join('\n')}`).toEqual([]);
        } finally {
          await child.stop();
        }
      });
    }

    if (!replay) {
      it('killed the server while pushes were in flight', () => {
        expect((totals.get('killedPushCommitted') ?? 0) + (totals.get('killedPushLost') ?? 0)).toBeGreaterThan(0);
      });
    }
  });
}
