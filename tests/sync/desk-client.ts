// One simulated desk: an RxDB database on memory storage with the students and ledger
// collections, replicated as the desk app does it (desk-replication.ts). It takes payments with
// its own gap-free receipt series, voids them, and admits, edits and deletes students, all with
// its own (skewed) clock.
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  canonicalJson,
  offlinePaymentMethods,
  replicatedCollections,
  withoutReplicationFields,
  type LedgerEntry,
  type PaymentDoc,
  type Student,
  type VoidDoc,
} from '@feemaster/core';
import { startReplications, type DeskIdentity, type DeskSettings, type DeskTiming, type PullRecord, type StreamMode, type SyncedCollection } from './desk-replication.ts';
import type { Prng } from './prng.ts';
import type { RunJournal } from './run-journal.ts';

addRxPlugin(RxDBMigrationSchemaPlugin);

export interface DeskOptions {
  identity: DeskIdentity;
  runId: string;
  schoolId: string;
  currency: string;
  /** Where the desk sends its requests: its own fault proxy. */
  serverUrl: string;
  /** Added to the real clock for every createdAt/updatedAt the desk writes (up to a day). */
  clockSkewMs: number;
  prng: Prng;
  journal: RunJournal;
  timing: DeskTiming;
  pullBatchSize: number;
  pushBatchSize: number;
  repeatRate: number;
  twinRate: number;
  /** The desk's one stream for all collections, one per collection, or none (it pulls only when told to resync). */
  stream: StreamMode;
  /** Whether the desk believes it is online (the payment's `offline` flag). */
  online(): boolean;
  /** Payers this school has; payments go to one of them. */
  payerIds: readonly string[];
}

export interface Desk {
  name: string;
  settings: DeskSettings;
  /** Resolves with the next pull of `collection` that completes after this call. */
  nextPull(collection: SyncedCollection): Promise<PullRecord>;
  takePayment(): Promise<PaymentDoc>;
  voidPayment(): Promise<VoidDoc | null>;
  admitStudent(): Promise<Student>;
  /** Edits one field of a student: a random one, or the first by admission number (`first`). */
  editStudent(which?: 'random' | 'first'): Promise<boolean>;
  removeStudent(): Promise<boolean>;
  /** Makes both collections pull again (what a RESYNC from the stream does). */
  reSync(): void;
  /** Resolves when RxDB has no pull, push or write pending for either collection. */
  awaitInSync(): Promise<void>;
  /** The desk's live documents per collection, as canonical JSON by id. */
  snapshot(): Promise<{ students: Map<string, string>; ledger: Map<string, string> }>;
  /** Every pull the desk made, in order. */
  pulls: PullRecord[];
  /** The highest checkpoint the server gave this desk per collection, by pull or stream. */
  highest: Readonly<Record<SyncedCollection, number>>;
  /** Pulls, pushes and stream messages with their times, for a failing run's report. */
  trace: string[];
  stop(): Promise<void>;
}

const FIRST_NAMES = ['Amani', 'Baraka', 'Chebet', 'Dalia', 'Eshe', 'Faraji', 'Gathoni', 'Hamisi', 'Imani', 'Jabari'];
const LAST_NAMES = ['Otieno', 'Wanjiru', 'Mwangi', 'Achieng', 'Kamau', 'Njoroge', 'Odhiambo', 'Kiplagat'];

export async function openDesk(options: DeskOptions): Promise<Desk> {
  const { identity, journal, prng, timing } = options;
  const db: RxDatabase = await createRxDatabase({
    name: `desk-${options.runId}-${identity.name}`.toLowerCase(),
    storage: getRxStorageMemory(),
    multiInstance: false,
    eventReduce: true,
  });
  const collections = await db.addCollections({
    students: {
      schema: replicatedCollections.students.rxSchema as RxJsonSchema<Student>,
      // As on the desk: v1 only added optional fields.
      migrationStrategies: { 1: (doc: Student) => doc },
    },
    ledger: { schema: replicatedCollections.ledger.rxSchema as RxJsonSchema<LedgerEntry> },
  });
  const students = collections.students as RxCollection<Student>;
  const ledger = collections.ledger as RxCollection<LedgerEntry>;
  const now = (): string => new Date(Date.now() + options.clockSkewMs).toISOString();
  // A UUIDv7 as the desk makes one (its clock), with the random bits from the run's PRNG.
  const newId = (): string => {
    const hex = (Date.now() + options.clockSkewMs).toString(16).padStart(12, '0') + '7';
    let rest = '';
    for (let i = 0; i < 19; i++) rest += prng.int(0, 15).toString(16);
    const variant = (8 + prng.int(0, 3)).toString(16);
    const digits = hex + rest.slice(0, 3) + variant + rest.slice(3);
    return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20, 32)}`;
  };
  const pulls: PullRecord[] = [];
  const started = Date.now();
  const traceLines: string[] = [];
  const trace = (line: string): void => {
    traceLines.push(`${String(Date.now() - started).padStart(6)} ${line}`);
  };
  const pullWaiters: { collection: SyncedCollection; resolve: (pull: PullRecord) => void }[] = [];
  const settings: DeskSettings = { requestTimeoutMs: timing.requestTimeoutMs, repeatRate: options.repeatRate, twinRate: options.twinRate };
  const highest: Record<SyncedCollection, number> = { students: 0, ledger: 0 };
  let receiptSeq = 0;
  let admitted = 0;

  const replicate = startReplications({
    identity,
    runId: options.runId,
    serverUrl: options.serverUrl,
    journal,
    timing,
    settings,
    prng: prng.fork('pushes'),
    pullBatchSize: options.pullBatchSize,
    pushBatchSize: options.pushBatchSize,
    stream: options.stream,
    highest,
    trace,
    onPull: (record) => {
      pulls.push(record);
      for (const waiter of pullWaiters.filter((w) => w.collection === record.collection)) {
        pullWaiters.splice(pullWaiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    },
  });
  const replications = [replicate(students, 'students'), replicate(ledger, 'ledger')];

  // Picks go by what the school calls a document, not by id, so a seed picks the same ones.
  const sortedBy = <D>(docs: D[], key: (doc: D) => string): D[] => docs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  return {
    name: identity.name,
    settings,
    pulls,
    trace: traceLines,
    highest,
    nextPull: (collection) => new Promise<PullRecord>((resolve) => pullWaiters.push({ collection, resolve })),
    async takePayment() {
      receiptSeq += 1;
      const method = prng.pick(offlinePaymentMethods);
      const payment: PaymentDoc = {
        id: newId(),
        schoolId: options.schoolId,
        currency: options.currency,
        createdAt: now(),
        createdBy: identity.userId,
        type: 'payment',
        payerId: prng.pick(options.payerIds),
        receiptNumber: `${identity.officeCode}-${identity.deviceCode}-${String(receiptSeq).padStart(6, '0')}`,
        deviceId: identity.deviceId,
        officeId: identity.officeId,
        method,
        ...(method === 'cash' ? {} : { reference: `REF${String(prng.int(1000, 999_999))}` }),
        amount: prng.int(1, 2000) * 50,
        offline: !options.online(),
        allocations: [],
      };
      await ledger.insert(payment);
      journal.take(payment.id, identity.name, payment.receiptNumber);
      return payment;
    },
    async voidPayment() {
      const payments = sortedBy(
        (await ledger.find({ selector: { type: 'payment' } }).exec()).map((doc) => doc.toJSON() as PaymentDoc),
        (payment) => payment.receiptNumber,
      );
      if (payments.length === 0) return null;
      const target = prng.pick(payments);
      const entry: VoidDoc = {
        id: newId(),
        schoolId: options.schoolId,
        currency: options.currency,
        createdAt: now(),
        createdBy: identity.userId,
        deviceId: identity.deviceId,
        type: 'void',
        paymentId: target.id,
        payerId: target.payerId,
        reason: `Receipt ${target.receiptNumber} typed in error`,
      };
      await ledger.insert(entry);
      return entry;
    },
    async admitStudent() {
      admitted += 1;
      const at = now();
      const student: Student = {
        id: newId(),
        schoolId: options.schoolId,
        admissionNumber: `${identity.deviceCode}-${String(admitted)}`,
        firstName: prng.pick(FIRST_NAMES),
        lastName: prng.pick(LAST_NAMES),
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
      await students.insert(student);
      return student;
    },
    async editStudent(which = 'random') {
      const all = sortedBy(await students.find().exec(), (student) => student.admissionNumber);
      // One draw either way, so the choices after this one do not depend on `which`.
      const index = prng.int(0, Math.max(0, all.length - 1));
      const target = which === 'first' ? all[0] : all[index];
      if (!target) return false;
      const patch: Partial<Student> = { updatedAt: now() };
      switch (prng.int(0, 3)) {
        case 0:
          patch.firstName = prng.pick(FIRST_NAMES);
          break;
        case 1:
          patch.lastName = prng.pick(LAST_NAMES);
          break;
        case 2:
          patch.otherNames = `${prng.pick(FIRST_NAMES)} ${identity.deviceCode}`;
          break;
        default:
          patch.status = prng.pick(['active', 'left', 'graduated'] as const);
      }
      await target.incrementalPatch(patch);
      return true;
    },
    async removeStudent() {
      const all = sortedBy(await students.find().exec(), (student) => student.admissionNumber);
      if (all.length === 0) return false;
      await prng.pick(all).incrementalRemove();
      return true;
    },
    reSync() {
      for (const replication of replications) replication.reSync();
    },
    async awaitInSync() {
      await Promise.all(replications.map((replication) => replication.awaitInSync()));
    },
    async snapshot() {
      const read = async <D extends { id: string }>(collection: RxCollection<D>): Promise<Map<string, string>> => {
        const docs = await collection.find().exec();
        return new Map(docs.map((doc) => [doc.primary, canonicalJson(withoutReplicationFields(doc.toMutableJSON() as Record<string, unknown>))]));
      };
      return { students: await read(students), ledger: await read(ledger) };
    },
    async stop() {
      await Promise.all(replications.map((replication) => replication.cancel()));
      await db.remove();
    },
  };
}
