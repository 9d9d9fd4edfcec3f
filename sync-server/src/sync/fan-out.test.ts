// Several server instances on one database: a change pushed through one reaches the live streams
// of the others (NOTIFY inside the push's transaction, relayed by each instance), in commit order,
// and an instance that lost its LISTEN connection tells its streams to pull again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_SCHEMA_VERSION, newId, type LoginResponse, type PaymentDoc, type StreamBatch, type StreamMessage } from '@feemaster/core';
import { buildApp, type FeeMasterApp } from '../app.ts';
import type { Database, Db } from '../db/client.ts';
import { startCrossInstanceFeed } from './change-feed.ts';
import { createLiveHub } from './live-hub.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, makeStudent, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { openStream } from '../../test/sse.ts';

let database: TestDatabase;
let first: TestServer;
let second: FeeMasterApp;
let secondUrl: string;
let secondToken: string;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  first = await startTestServer(database);
  await first.app.listen({ port: 0, host: '127.0.0.1' });
  second = await buildApp({ database, setupCode: null, streamRecheckMs: 60_000 });
  secondUrl = await second.app.listen({ port: 0, host: '127.0.0.1' });
  const login = await second.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  secondToken = login.json<LoginResponse>().accessToken;
});
afterAll(async () => {
  await second.app.close();
  await first.app.close();
  await database.close();
});

function cashPayment(receipt: number): PaymentDoc & { _deleted: boolean } {
  return {
    id: newId(),
    schoolId: first.schoolId,
    currency: 'KES',
    createdAt: new Date().toISOString(),
    createdBy: newId(),
    type: 'payment',
    payerId: newId(),
    receiptNumber: `MAIN-D02-${String(receipt).padStart(6, '0')}`,
    deviceId: newId(),
    officeId: newId(),
    method: 'cash',
    amount: 150_000,
    offline: false,
    allocations: [],
    _deleted: false,
  };
}

const push = (collection: string, version: number, docs: Record<string, unknown>[]) =>
  first.app.inject({
    method: 'POST',
    url: `/api/v1/sync/${collection}/${String(version)}/push`,
    headers: { authorization: `Bearer ${first.token}` },
    payload: docs.map((newDocumentState) => ({ assumedMasterState: null, newDocumentState })),
  });

describe('live streams across server instances', () => {
  it('a payment pushed through one instance reaches a desk streaming from the other, batches in commit order', async () => {
    const stream = await openStream(secondUrl, secondToken, 'ledger', LEDGER_SCHEMA_VERSION);
    expect(JSON.parse((await stream.next()).data)).toBe('RESYNC');

    // How fast is for the benchmarks; here: that it arrives at all, complete.
    const payment = cashPayment(1);
    expect((await push('ledger', LEDGER_SCHEMA_VERSION, [payment])).statusCode).toBe(200);
    const batch = JSON.parse((await stream.next()).data) as StreamBatch<PaymentDoc>;
    expect(batch.documents.map((d) => d.id)).toEqual([payment.id]);
    expect(batch.documents[0]).toMatchObject({ receiptNumber: 'MAIN-D02-000001', amount: 150_000 });

    const later = [cashPayment(2), cashPayment(3)];
    for (const p of later) expect((await push('ledger', LEDGER_SCHEMA_VERSION, [p])).statusCode).toBe(200);
    const seqs: number[] = [batch.checkpoint?.seq ?? 0];
    for (const p of later) {
      const next = JSON.parse((await stream.next()).data) as StreamBatch<PaymentDoc>;
      expect(next.documents.map((d) => d.id)).toEqual([p.id]);
      seqs.push(next.checkpoint?.seq ?? 0);
    }
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    stream.close();
  });

  it('relays only its own school and collection, and does not echo an instance its own pushes', async () => {
    const students = await openStream(secondUrl, secondToken, 'students', 1);
    expect(JSON.parse((await students.next()).data)).toBe('RESYNC');
    expect((await push('ledger', LEDGER_SCHEMA_VERSION, [cashPayment(4)])).statusCode).toBe(200);
    const student = makeStudent(first.schoolId);
    expect((await push('students', 1, [student])).statusCode).toBe(200);
    // The ledger push is not on the students stream: the first event is the student.
    const event = JSON.parse((await students.next()).data) as StreamBatch<{ id: string }>;
    expect(event.documents.map((d) => d.id)).toEqual([student.id]);
    students.close();

    const own = await openStream(secondUrl, secondToken, 'students', 1);
    expect(JSON.parse((await own.next()).data)).toBe('RESYNC');
    const mine = makeStudent(first.schoolId);
    const pushed = await second.app.inject({
      method: 'POST',
      url: '/api/v1/sync/students/1/push',
      headers: { authorization: `Bearer ${secondToken}` },
      payload: [{ assumedMasterState: null, newDocumentState: mine }],
    });
    expect(pushed.statusCode).toBe(200);
    const once = JSON.parse((await own.next()).data) as StreamBatch<{ id: string }>;
    expect(once.documents.map((d) => d.id)).toEqual([mine.id]);
    // Had the instance relayed its own notice too, this second push would arrive after a duplicate.
    const next = makeStudent(first.schoolId);
    await push('students', 1, [next]);
    expect((JSON.parse((await own.next()).data) as StreamBatch<{ id: string }>).documents.map((d) => d.id)).toEqual([next.id]);
    own.close();
  });

  it('tells its streams to pull again when it may have missed changes', async () => {
    const stream = await openStream(secondUrl, secondToken, 'students', 1);
    expect(JSON.parse((await stream.next()).data)).toBe('RESYNC');
    second.hub.resyncAll();
    expect(JSON.parse((await stream.next()).data)).toBe('RESYNC');
    stream.close();
  });

  it('reads a relayed change only when one of its streams follows that collection', async () => {
    let reads = 0;
    const db = new Proxy(database.db, {
      get(target, key, receiver): unknown {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'select' || typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          reads += 1;
          return Reflect.apply(value, target, args);
        };
      },
    }) satisfies Db;
    const counted: Database = {
      kind: database.kind,
      db,
      location: database.location,
      ping: () => database.ping(),
      listen: (channel, onPayload, onReconnect) => database.listen(channel, onPayload, onReconnect),
      notify: (channel, payload) => database.notify(channel, payload),
      close: () => Promise.resolve(),
    };
    const hub = createLiveHub();
    const errors: unknown[] = [];
    const feed = await startCrossInstanceFeed({ database: counted, hub, instanceId: newId(), onError: (error) => errors.push(error) });
    try {
      // Nobody here streams the ledger: its notice is passed over, not read.
      expect((await push('ledger', LEDGER_SCHEMA_VERSION, [cashPayment(5)])).statusCode).toBe(200);
      const received: StreamMessage<Record<string, unknown>>[] = [];
      const arrived = new Promise<void>((resolve) => {
        hub.subscribe(first.schoolId, 'students', (message) => {
          received.push(message);
          resolve();
        });
      });
      const student = makeStudent(first.schoolId);
      expect((await push('students', 1, [student])).statusCode).toBe(200);
      // Notices are relayed one at a time in commit order: the ledger's was handled before this one.
      await arrived;
      expect(received).toEqual([expect.objectContaining({ documents: [expect.objectContaining({ id: student.id })] })]);
      expect(reads).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await feed.stop();
    }
  });
});
