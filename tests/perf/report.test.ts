// The benchmark's rounds: medians, the pairing of our rounds with the peer's, and the table rows.
import { describe, expect, it } from 'vitest';
import type { PeerResult } from './pouch-peer.ts';
import { buildRows, combinePeerRounds, combineServerRounds, median, roundRatios, type PeerStorage } from './report.ts';
import type { ServerResult } from './server-bench.ts';

const timing = (docsPerSecond: number) => ({ docs: 10_000, seconds: 10_000 / docsPerSecond, docsPerSecond, requestMs: { p50: 1, p95: 2, max: 3 }, requests: 10 });
const server = (push: number, pull: number): ServerResult => ({ backend: 'postgres', payments: 10_000, desks: 4, invoices: 1_000, push: timing(push), pull: timing(pull), rounds: [{ push, pull }] });
const peer = (push: number, pull: number, storage: PeerStorage = 'disk'): PeerResult => ({
  storage,
  docs: 10_000,
  pushSeconds: 10_000 / push,
  pushDocsPerSecond: push,
  pullSeconds: 10_000 / pull,
  pullDocsPerSecond: pull,
  batchSizes: { push: 1_000, pull: 1_000 },
  rounds: [{ push, pull }],
});

describe('benchmark rounds', () => {
  it('takes the middle value, the lower one of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });

  it('keeps each way the timings of its own median round and every round', () => {
    const combined = combineServerRounds([server(9_000, 30_000), server(11_000, 20_000), server(10_000, 25_000)]);
    expect(combined.push.docsPerSecond).toBe(10_000);
    expect(combined.pull.docsPerSecond).toBe(25_000);
    expect(combined.rounds).toEqual([
      { push: 9_000, pull: 30_000 },
      { push: 11_000, pull: 20_000 },
      { push: 10_000, pull: 25_000 },
    ]);
    const pouch = combinePeerRounds([peer(4_000, 6_000), peer(5_000, 5_000), peer(3_000, 7_000)]);
    expect([pouch.pushDocsPerSecond, pouch.pullDocsPerSecond, pouch.pushSeconds]).toEqual([4_000, 6_000, 2.5]);
  });

  it('pairs round i with round i: the ratio is the median of the rounds’ ratios', () => {
    const ours = [{ push: 10_000, pull: 1 }, { push: 9_000, pull: 1 }, { push: 12_000, pull: 1 }];
    const theirs = [{ push: 5_000, pull: 1 }, { push: 3_000, pull: 1 }, { push: 6_000, pull: 1 }];
    // Ratios 2.0, 3.0, 2.0: median 2.0 (the ratio of the medians would be 10,000 / 5,000 too, but not in general).
    expect(roundRatios(ours, theirs, 'push', 0)).toEqual({ median: 2, min: 2, max: 3, rounds: 3 });
    expect(roundRatios([], [], 'push', 2.5)).toEqual({ median: 2.5, min: 2.5, max: 2.5, rounds: 1 });
  });

  it('judges the push target on the median ratio and shows the rounds’ range', () => {
    const ours = combineServerRounds([server(12_000, 30_000), server(9_000, 30_000), server(13_000, 30_000)]);
    const theirs = combinePeerRounds([peer(4_000, 6_000), peer(4_000, 6_000), peer(4_000, 6_000)]);
    const rows = buildRows({ server: [ours], peer: [theirs], browser: [], latency: [] });
    const ratio = rows.find((row) => row.measurement.includes('push ÷ PouchDB push, default'));
    expect(ratio).toMatchObject({ result: '3.00× (rounds 2.25–3.25×)', met: true });
    expect(rows.find((row) => row.measurement === 'server push, PostgreSQL')?.result).toBe('12,000 docs/s (3 rounds: 9,000–13,000)');
    const slower = buildRows({ server: [combineServerRounds([server(9_000, 30_000), server(9_500, 30_000), server(13_000, 30_000)])], peer: [theirs], browser: [], latency: [] });
    expect(slower.find((row) => row.measurement.includes('push ÷ PouchDB'))?.met).toBe(false);
  });

  it('judges against pouchdb-server as it runs by default and shows its in-memory mode beside it, unjudged', () => {
    const ours = combineServerRounds([server(12_000, 30_000)]);
    const onDisk = combinePeerRounds([peer(4_000, 6_000, 'disk')]);
    const inMemory = combinePeerRounds([peer(6_000, 12_000, 'memory')]);
    const rows = buildRows({ server: [ours], peer: [onDisk, inMemory], browser: [], latency: [] });
    const ratios = rows.filter((row) => row.measurement.includes('÷ PouchDB')).map((row) => [row.measurement.trim(), row.result, row.met]);
    expect(ratios).toEqual([
      ["push ÷ PouchDB push, default (LevelDB on disk) (median of the rounds' ratios)", '3.00×', true],
      ["push ÷ PouchDB push, --in-memory (median of the rounds' ratios)", '2.00×', null],
      ["pull ÷ PouchDB pull, default (LevelDB on disk) (median of the rounds' ratios)", '5.00×', true],
      ["pull ÷ PouchDB pull, --in-memory (median of the rounds' ratios)", '2.50×', null],
    ]);
    expect(rows.filter((row) => row.measurement.startsWith('peer push')).map((row) => row.measurement)).toEqual([
      'peer push, PouchDB → pouchdb-server, default (LevelDB on disk)',
      'peer push, PouchDB → pouchdb-server, --in-memory',
    ]);
  });
});
