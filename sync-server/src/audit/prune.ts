// Retention: drops a chain's entries older than a date and leaves a signed checkpoint at the
// last dropped entry, so verification resumes from it and still covers everything kept.
import { and, asc, desc, eq, gt, gte, lte } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditChains, auditCheckpoints, auditLog } from '../db/schema.ts';
import { SYSTEM_CHAIN, appendAudit } from './audit-log.ts';
import { loadCheckpointKey, signCheckpoint, type CheckpointContent } from './checkpoint-signature.ts';
import { VERIFY_PAGE_SIZE, verifyChain } from './verify.ts';

export interface PruneOptions {
  /** A school id, or 'system'. */
  chain: string;
  /** Entries written before this instant (ISO 8601) are dropped. */
  beforeAt: string;
  /** Who asked, for the audit entry recording the prune; the CLI has no user. */
  actor?: { userId: string; role: string } | null;
  now?: Date;
}

export interface PruneResult {
  chain: string;
  prunedEntries: number;
  /** The new checkpoint; null when nothing was old enough to prune. */
  checkpoint: CheckpointContent | null;
}

/** A prune that was refused; its message says why and what to do. */
export class AuditPruneError extends Error {
  override name = 'AuditPruneError';
}

export async function pruneAudit(db: Db, options: PruneOptions): Promise<PruneResult> {
  const { chain } = options;
  const now = options.now ?? new Date();
  const before = new Date(options.beforeAt);
  if (Number.isNaN(before.getTime())) {
    throw new AuditPruneError(`'${options.beforeAt}' is not a date. Give one such as 2024-01-01 or 2024-01-01T00:00:00Z.`);
  }
  if (before > now) throw new AuditPruneError(`${before.toISOString()} is in the future; only entries older than today can be pruned.`);
  const beforeAt = before.toISOString();
  const key = await loadCheckpointKey(db);
  return db.transaction(async (tx) => {
    // Holding the head keeps appends out while the range is checked, signed and dropped.
    const [head] = await tx.select().from(auditChains).where(eq(auditChains.chain, chain)).for('update');
    if (!head) return { chain, prunedEntries: 0, checkpoint: null };
    const [latest] = await tx.select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, chain)).orderBy(desc(auditCheckpoints.upToSeq)).limit(1);
    const startSeq = latest?.upToSeq ?? 0;
    // Stop at the first entry that is new enough: entries are only ever dropped from the front.
    const [firstKept] = await tx
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(eq(auditLog.chain, chain), gt(auditLog.seq, startSeq), gte(auditLog.at, beforeAt)))
      .orderBy(asc(auditLog.seq))
      .limit(1);
    const upToSeq = firstKept ? firstKept.seq - 1 : head.lastSeq;
    if (upToSeq <= startSeq) return { chain, prunedEntries: 0, checkpoint: null };

    // Signing over a damaged range would launder the damage, so it must verify first.
    const walk = await verifyChain(tx, key, chain, { pageSize: VERIFY_PAGE_SIZE, untilSeq: upToSeq });
    if (walk.report.broken) {
      const { seq, reason } = walk.report.broken;
      throw new AuditPruneError(
        `Nothing was pruned: the audit chain ${chain} is broken at seq ${seq} (${reason}). Pruning would hide that; investigate it with npm run audit:verify first.`,
      );
    }
    const checkpoint: CheckpointContent = { chain, upToSeq, hashAtSeq: walk.lastHash, createdAt: now.toISOString() };
    await tx.insert(auditCheckpoints).values({ ...checkpoint, signature: signCheckpoint(key, checkpoint) });
    await tx.delete(auditLog).where(and(eq(auditLog.chain, chain), lte(auditLog.seq, upToSeq)));
    const prunedEntries = walk.report.entries;
    await appendAudit(
      tx,
      [
        {
          schoolId: chain === SYSTEM_CHAIN ? null : chain,
          actorUserId: options.actor?.userId ?? null,
          actorRole: options.actor?.role ?? null,
          action: 'audit.prune',
          entityType: 'audit_log',
          after: { beforeAt, upToSeq, prunedEntries },
        },
      ],
      now,
    );
    return { chain, prunedEntries, checkpoint };
  });
}
