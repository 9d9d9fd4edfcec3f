// Shard 1 of 2 of the fault-injection runs: in-process server runs (fault-injection-suite.ts)
// and child-process server runs killed mid-push (server-kill-suite.ts).
import { defineFaultInjectionSuite } from './fault-injection-suite.ts';
import { defineServerKillSuite } from './server-kill-suite.ts';

const shard = { shard: 0, shards: 2, file: 'tests/sync/fault-injection-1.test.ts' };
defineFaultInjectionSuite(shard);
defineServerKillSuite(shard);
