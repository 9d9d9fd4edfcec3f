// The two deterministic episodes a run may contain, played through the desks:
// - overlapping pushes: two desks' push transactions overlap and an observer desk pulls between
//   their commits; it must not skip the row that commits later.
// - a server kill: SIGKILL while a desk's big push is in flight, then a restart on the same data.
import { canonicalJson, withoutReplicationFields, type PaymentDoc } from '@feemaster/core';
import type { Desk } from './desk-client.ts';
import type { PullRecord } from './desk-replication.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { readServerCollection } from './school.ts';
import { SETTLE_DEADLINE_MS, heal, sleep, withDeadline, type RunContext } from './scenario.ts';
import { lockWaiters, type HeldTransaction } from './transaction-gate.ts';

const LEDGER_PUSH = /^POST \/api\/v1\/sync\/ledger\/\d+\/push$/;

function nextLedgerPush(proxy: FaultProxy): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = proxy.onRequest((line) => {
      if (!LEDGER_PUSH.test(line)) return;
      stop();
      resolve();
    });
  });
}

/** Polls a condition of the server's state (not a clock); gives up after many tries. */
async function until(what: string, condition: () => Promise<boolean> | boolean, intervalMs = 5): Promise<void> {
  for (let attempt = 0; attempt < 4000; attempt++) {
    if (await condition()) return;
    await sleep(intervalMs);
  }
  throw new Error(`gave up waiting until ${what}`);
}

/** The observer pulls its ledger once (a RESYNC) and has stored what it got. */
async function observerPulls(observer: Desk): Promise<PullRecord> {
  await observer.awaitInSync();
  const pulled = observer.nextPull('ledger');
  observer.reSync();
  const record = await pulled;
  await observer.awaitInSync();
  return record;
}

export async function overlappingPushes(ctx: RunContext): Promise<void> {
  const { server, observer, journal } = ctx;
  const [first, second] = ctx.desks;
  const gate = server.gate;
  const database = server.database;
  const secondProxy = ctx.proxies[1];
  if (!gate || !database || !observer || !first || !second || !secondProxy) throw new Error('the overlap episode needs the in-process server, two desks and the observer');
  // Quiet first: nothing else may start a transaction while the gates are armed.
  heal(ctx);
  await withDeadline('the desks syncing before the overlap', SETTLE_DEADLINE_MS, Promise.all([...ctx.desks, observer].map((desk) => desk.awaitInSync())));
  const saved = [first, second].map((desk) => ({ ...desk.settings }));
  for (const desk of [first, second]) Object.assign(desk.settings, { requestTimeoutMs: 60_000, repeatRate: 0, twinRate: 0 });
  const seen: PullRecord[] = [];
  const sawIn = (pulls: readonly PullRecord[], payment: PaymentDoc): boolean => pulls.some((pull) => pull.ids.includes(payment.id));
  let held: HeldTransaction[] = [];
  try {
    seen.push(await observerPulls(observer));
    const holdFirst = gate.holdNext('commit');
    // PGlite runs one transaction at a time: the second is held before BEGIN, so a pull can run.
    const holdSecond = gate.holdNext(server.kind === 'postgres' ? 'commit' : 'begin');
    held = [holdFirst, holdSecond];
    const firstPayment = await first.takePayment();
    await holdFirst.held;
    const secondSent = nextLedgerPush(secondProxy);
    const secondPayment = await second.takePayment();
    if (server.kind === 'postgres') {
      await holdSecond.begun;
      // The second push either queues behind the first (a per-school lock) or runs on beside it.
      await until('the second push queued or ran', async () => holdSecond.state() === 'held' || (await lockWaiters(database)) > 0);
      if (holdSecond.state() === 'held') {
        // Both are open at once: commit them out of order, the case a pre-commit sequence gets wrong.
        holdSecond.release();
        await holdSecond.committed;
        seen.push(await observerPulls(observer));
        holdFirst.release();
        await holdFirst.committed;
      } else {
        const during = await observerPulls(observer);
        if (sawIn([during], firstPayment) || sawIn([during], secondPayment)) journal.violation('a pull saw a push that had not committed');
        seen.push(during);
        holdFirst.release();
        await holdFirst.committed;
        await holdSecond.held;
        const between = await observerPulls(observer);
        if (!sawIn([between], firstPayment) || sawIn([between], secondPayment)) {
          journal.violation(`the pull between the commits got ${canonicalJson(between)}, expected ${firstPayment.id} only`);
        }
        seen.push(between);
        holdSecond.release();
        await holdSecond.committed;
      }
    } else {
      await secondSent;
      holdFirst.release();
      await holdFirst.committed;
      await holdSecond.held;
      const between = await observerPulls(observer);
      if (!sawIn([between], firstPayment) || sawIn([between], secondPayment)) {
        journal.violation(`the pull between the commits got ${canonicalJson(between)}, expected ${firstPayment.id} only`);
      }
      seen.push(between);
      holdSecond.release();
      await holdSecond.committed;
    }
    seen.push(await observerPulls(observer));
    for (const payment of [firstPayment, secondPayment]) {
      if (!sawIn(seen, payment)) journal.violation(`the observer's pulls around overlapping commits skipped payment ${payment.receiptNumber} (${payment.id}): ${canonicalJson(seen)}`);
    }
    journal.count('overlapEpisodes');
  } finally {
    for (const hold of held) hold.release();
    [first, second].forEach((desk, i) => Object.assign(desk.settings, saved[i]));
    for (const proxy of ctx.proxies) proxy.setFaults(true);
  }
}

export async function killDuringPush(ctx: RunContext): Promise<void> {
  const { server, journal, prng } = ctx;
  const restart = server.restart;
  if (!restart) throw new Error('the kill episode needs a child-process server');
  const index = prng.int(0, ctx.desks.length - 1);
  const victim = ctx.desks[index];
  const proxy = ctx.proxies[index];
  if (!victim || !proxy) throw new Error('no desk to push during the kill');
  // A backlog taken offline makes a big push: many rows in one transaction.
  proxy.setOffline('refuse');
  ctx.offline[index] = 'refuse';
  for (let n = prng.int(20, 80); n > 0; n--) await victim.takePayment();
  const pushing = nextLedgerPush(proxy);
  proxy.setOffline(null);
  ctx.offline[index] = null;
  await withDeadline(`${victim.name} pushing its backlog`, SETTLE_DEADLINE_MS, pushing);
  if (prng.chance(0.5)) {
    // Killed after a commit whose answer never reached the desk: stored, not acknowledged.
    proxy.swallowResponses(true);
    await until('a push in flight is stored', async () => {
      const flights = [...journal.inFlight.values()].filter((flight) => flight.collection === 'ledger');
      if (flights.length === 0) return false;
      const stored = await readServerCollection(server.url(), ctx.school.ownerToken, 'ledger', (doc) => canonicalJson(withoutReplicationFields(doc)));
      return flights.some((flight) => flight.ids.every((id) => stored.live.has(id)));
    }, 50);
  } else {
    await sleep(prng.int(0, 80));
  }
  // Until the restarted server has been looked at, no desk reaches it; open requests stay open.
  for (const p of ctx.proxies) p.refuseNew(true);
  const inFlight = [...journal.inFlight.values()].filter((flight) => flight.collection === 'ledger');
  await restart.kill();
  journal.count('serverKills');
  await restart.start();
  const stored = await readServerCollection(server.url(), ctx.school.ownerToken, 'ledger', (doc) => canonicalJson(withoutReplicationFields(doc)));
  for (const flight of inFlight) {
    const kept = flight.ids.filter((id) => stored.live.has(id)).length;
    if (kept === 0) journal.count('killedPushLost');
    else if (kept === flight.ids.length) journal.count('killedPushCommitted');
    else journal.violation(`a push of ${String(flight.ids.length)} ledger entries cut by SIGKILL left ${String(kept)} of them stored (one transaction per push)`);
  }
  for (const p of ctx.proxies) {
    p.setTarget(server.port());
    p.refuseNew(false);
  }
  proxy.swallowResponses(false);
}
