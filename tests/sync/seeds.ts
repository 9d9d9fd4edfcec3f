// Which seeded runs a suite file plays: SYNC_SEED=<seed> replays exactly one; SYNC_RUNS=<n>
// sets how many the in-process shards play together (the long suite asks for 2,000); otherwise
// the CI default. Seeds start from SYNC_BASE_SEED, or from a fresh random number, so CI covers
// new ground on every run; a failing run prints its seed.
import { randomInt } from 'node:crypto';
import { onTestFailed } from 'vitest';
import { testDatabaseKind } from '../../sync-server/test/database.ts';

export interface SeedSelection {
  seeds: number[];
  /** True when one seed is replayed (the cross-run coverage check does not apply). */
  replay: boolean;
}

export interface SeedOptions {
  ciRuns: number;
  shard?: number;
  shards?: number;
  /** This file's runs for SYNC_RUNS=<n> (default: its share of n). */
  runsFor?: (requested: number) => number;
}

export function selectSeeds(options: SeedOptions): SeedSelection {
  const single = process.env.SYNC_SEED;
  if (single) return { seeds: [parseSeed('SYNC_SEED', single)], replay: true };
  const shard = options.shard ?? 0;
  const shards = options.shards ?? 1;
  const requested = process.env.SYNC_RUNS ? parseSeed('SYNC_RUNS', process.env.SYNC_RUNS) : null;
  // This shard's share of the runs; the shards together play them all.
  const share = (n: number): number => Math.floor(n / shards) + (shard < n % shards ? 1 : 0);
  const runs = requested === null ? share(options.ciRuns) : (options.runsFor ?? share)(requested);
  const base = process.env.SYNC_BASE_SEED ? parseSeed('SYNC_BASE_SEED', process.env.SYNC_BASE_SEED) : randomInt(2 ** 31);
  return { seeds: Array.from({ length: runs }, (_, i) => (base + i * shards + shard) % 2 ** 32), replay: false };
}

function parseSeed(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`${name} must be a whole number, got '${text}'`);
  return Number(text.trim());
}

/** Inside a test: on failure, prints the command that replays this seed alone. */
export function printSeedOnFailure(seed: number, file: string): void {
  onTestFailed(() => {
    console.error(`\nReplay this run: SYNC_SEED=${String(seed)} FEEMASTER_TEST_DB=${testDatabaseKind} npx vitest run --project server ${file}\n`);
  });
}
