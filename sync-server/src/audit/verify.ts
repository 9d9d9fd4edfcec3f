// Recomputes the audit chains and names the first entry that was edited, deleted or inserted
// out of band. A chain is read in pages inside one read-only snapshot, so a large log never
// loads at once and entries appended meanwhile are not mistaken for forgeries.
import { and, asc, desc, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditChains, auditCheckpoints, auditLog } from '../db/schema.ts';
import { GENESIS_HASH, auditRecordOf, hashAuditRecord } from './audit-log.ts';
import { documentKey, documentsOfEntries } from './document-afters.ts';
import { checkpointSignatureValid, readCheckpointKey } from './checkpoint-signature.ts';

export type AuditProblem = 'edited' | 'deleted' | 'inserted' | 'head-mismatch' | 'checkpoint-invalid';

export interface ChainBreak {
  /** The first entry found wrong (for a deletion, the first missing one). */
  seq: number;
  problem: AuditProblem;
  /** For the person running the check: what was found and what it means. */
  reason: string;
}

export interface ChainVerification {
  chain: string;
  ok: boolean;
  /** Entries recomputed: those after the latest retention checkpoint, or all of them. */
  entries: number;
  /** The signed checkpoint verification started from, when old entries were pruned. */
  checkpoint: { upToSeq: number; createdAt: string } | null;
  broken: ChainBreak | null;
}

export const VERIFY_PAGE_SIZE = 1000;

export interface VerifyOptions {
  /** One chain (a school id, or 'system'); every chain when left out. */
  chain?: string;
  pageSize?: number;
}

export async function verifyAuditChains(db: Db, options: VerifyOptions = {}): Promise<ChainVerification[]> {
  const key = await readCheckpointKey(db);
  const chains = options.chain ? [options.chain] : await listChains(db);
  const reports: ChainVerification[] = [];
  for (const chain of chains) {
    const walk = await db.transaction((tx) => verifyChain(tx, key, chain, { pageSize: options.pageSize ?? VERIFY_PAGE_SIZE }), {
      isolationLevel: 'repeatable read',
      accessMode: 'read only',
    });
    reports.push(walk.report);
  }
  return reports;
}

/** Every chain that has a head, an entry or a checkpoint: entries without a head are suspect too. */
async function listChains(db: Db): Promise<string[]> {
  const rows = await db
    .select({ chain: auditChains.chain })
    .from(auditChains)
    .union(db.selectDistinct({ chain: auditLog.chain }).from(auditLog))
    .union(db.select({ chain: auditCheckpoints.chain }).from(auditCheckpoints));
  return rows.map((row) => row.chain).sort();
}

export interface ChainWalk {
  report: ChainVerification;
  /** The hash of the last entry checked (the checkpoint's when none were). */
  lastHash: string;
}

/**
 * Checks one chain inside the caller's transaction. With `untilSeq`, only the entries up to
 * that seq are checked and the head is not compared (pruning checks what it is about to drop).
 */
export async function verifyChain(tx: Db, key: Buffer | null, chain: string, options: { pageSize: number; untilSeq?: number }): Promise<ChainWalk> {
  const [head] = await tx.select().from(auditChains).where(eq(auditChains.chain, chain));
  const checkpoints = await tx.select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, chain)).orderBy(desc(auditCheckpoints.upToSeq));
  const latest = checkpoints[0] ?? null;
  const startSeq = latest?.upToSeq ?? 0;
  const startLabel = latest ? `the retention checkpoint at seq ${startSeq}` : 'the start of the chain';
  let entries = 0;
  let lastHash = latest?.hashAtSeq ?? GENESIS_HASH;
  const finish = (broken: ChainBreak | null): ChainWalk => ({
    report: { chain, ok: broken === null, entries, checkpoint: latest ? { upToSeq: latest.upToSeq, createdAt: latest.createdAt } : null, broken },
    lastHash,
  });
  const fail = (seq: number, problem: AuditProblem, reason: string): ChainWalk => finish({ seq, problem, reason });
  const entryBefore = (seq: number): string => (seq === startSeq ? startLabel : `entry ${seq}`);
  const missing = (from: number, to: number): string => (from === to ? `entry ${from} is missing` : `entries ${from}–${to} are missing`);

  for (const checkpoint of checkpoints) {
    if (!key || !checkpointSignatureValid(key, checkpoint)) {
      return fail(
        checkpoint.upToSeq,
        'checkpoint-invalid',
        `the retention checkpoint at seq ${checkpoint.upToSeq} (made ${checkpoint.createdAt}) does not carry a valid signature: it was edited or forged, or the audit checkpoint key was replaced, so the pruned entries it stands for cannot be vouched for`,
      );
    }
  }
  if (latest && head && latest.upToSeq > head.lastSeq) {
    return fail(latest.upToSeq, 'checkpoint-invalid', `the retention checkpoint at seq ${latest.upToSeq} lies beyond the chain head (seq ${head.lastSeq}): the head or the checkpoint was altered`);
  }
  if (latest) {
    const [stray] = await tx
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(eq(auditLog.chain, chain), lte(auditLog.seq, startSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(1);
    if (stray) {
      return fail(stray.seq, 'inserted', `entry ${stray.seq} predates ${startLabel}, whose entries were pruned: it was inserted out of band`);
    }
  }

  let expectedSeq = startSeq + 1;
  for (;;) {
    const page = await tx
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.chain, chain), gt(auditLog.seq, expectedSeq - 1), options.untilSeq === undefined ? undefined : lte(auditLog.seq, options.untilSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(options.pageSize);
    // A ledger entry's audit entry holds its `after` in the entry's own document, which the hash
    // covers all the same: an edited or deleted ledger entry is found here too.
    const documents = await documentsOfEntries(tx, page);
    for (const row of page) {
      const { prevHash, hash, afterInDocument, ...stored } = row;
      const document = afterInDocument ? documents.get(documentKey(stored.entityType, stored.entityId)) : undefined;
      const record = afterInDocument ? { ...stored, after: document?.data ?? null } : stored;
      if (!head) {
        return fail(row.seq, 'head-mismatch', `the chain has entries but its head record (audit_chains) is missing: it was deleted out of band`);
      }
      if (row.seq > head.lastSeq) {
        return fail(row.seq, 'inserted', `entry ${row.seq} lies beyond the chain head, which ends at seq ${head.lastSeq}: it was inserted out of band`);
      }
      if (row.seq > expectedSeq) {
        return fail(expectedSeq, 'deleted', `${missing(expectedSeq, row.seq - 1)}: deleted (the log jumps from ${entryBefore(expectedSeq - 1)} to entry ${row.seq})`);
      }
      const contentIntact = hashAuditRecord(prevHash, auditRecordOf(record)) === hash;
      if (prevHash !== lastHash) {
        if (!contentIntact) return fail(row.seq, 'edited', `entry ${row.seq} was edited: its link to the previous entry no longer matches its hash`);
        if (row.seq === startSeq + 1) return fail(row.seq, 'inserted', `entry ${row.seq} does not link to ${startLabel}: it was replaced or inserted out of band`);
        return fail(
          row.seq - 1,
          'inserted',
          `entry ${row.seq - 1} was replaced or inserted out of band: entry ${row.seq} was chained to a different entry ${row.seq - 1}`,
        );
      }
      if (afterInDocument && (!document || document.deleted)) {
        return fail(
          row.seq,
          'deleted',
          `entry ${row.seq} (${row.action}, ${row.at}) records ${row.entityType ?? 'document'} ${row.entityId ?? '(no id)'}, which ${document ? 'is marked deleted in the stored documents, though such documents are never deleted: it was altered' : 'is missing from the stored documents: it was deleted'} out of band (or this entry was edited to name another)`,
        );
      }
      if (!contentIntact && afterInDocument) {
        return fail(
          row.seq,
          'edited',
          `entry ${row.seq} (${row.action}, ${row.at}) records ${row.entityType ?? 'document'} ${row.entityId ?? '(no id)'}, whose stored document no longer matches the entry's hash: the document or the entry was edited after it was written`,
        );
      }
      if (!contentIntact) {
        const subject = row.entityId ? ` on ${row.entityType ?? 'entity'} ${row.entityId}` : '';
        return fail(row.seq, 'edited', `entry ${row.seq} (${row.action}${subject}, ${row.at}) was edited after it was written: its content no longer matches its hash`);
      }
      lastHash = hash;
      expectedSeq = row.seq + 1;
      entries += 1;
    }
    if (page.length < options.pageSize) break;
  }

  const lastSeq = expectedSeq - 1;
  if (options.untilSeq !== undefined) {
    return lastSeq < options.untilSeq ? fail(lastSeq + 1, 'deleted', `${missing(lastSeq + 1, options.untilSeq)}: deleted`) : finish(null);
  }
  if (!head) {
    return latest ? fail(startSeq, 'head-mismatch', `the chain has a retention checkpoint but its head record (audit_chains) is missing: it was deleted out of band`) : finish(null);
  }
  if (lastSeq < head.lastSeq) {
    return fail(
      lastSeq + 1,
      'deleted',
      `${missing(lastSeq + 1, head.lastSeq)}: the chain head records ${head.lastSeq} entries but the log ends at ${entryBefore(lastSeq)}, so the newest entries were deleted`,
    );
  }
  if (lastHash !== head.lastHash) {
    return fail(head.lastSeq, 'head-mismatch', `entry ${head.lastSeq} does not match the hash the chain head recorded for it: the newest entry was replaced, or the head was edited`);
  }
  return finish(null);
}
