// Signs retention checkpoints. Once old entries are pruned, the checkpoint is the only thing
// vouching for the chain's start, so it carries an HMAC a direct SQL edit cannot reproduce
// without the server's audit key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { canonicalJson } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { serverSecrets } from '../db/schema.ts';

const KEY_NAME = 'audit-checkpoint-key';

export interface CheckpointContent {
  chain: string;
  upToSeq: number;
  hashAtSeq: string;
  createdAt: string;
}

/** The HMAC key, generated once and kept in the database so every instance and the CLI agree. */
export async function loadCheckpointKey(db: Db): Promise<Buffer> {
  await db
    .insert(serverSecrets)
    .values({ name: KEY_NAME, value: randomBytes(32).toString('base64') })
    .onConflictDoNothing();
  const key = await readCheckpointKey(db);
  if (!key) throw new Error('The audit checkpoint key could not be created.');
  return key;
}

/** The key if one exists; verification only reads, so it never creates one. */
export async function readCheckpointKey(db: Db): Promise<Buffer | null> {
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, KEY_NAME));
  return row ? Buffer.from(row.value, 'base64') : null;
}

export function signCheckpoint(key: Buffer, content: CheckpointContent): string {
  const { chain, upToSeq, hashAtSeq, createdAt } = content;
  return createHmac('sha256', key).update(canonicalJson({ chain, upToSeq, hashAtSeq, createdAt })).digest('hex');
}

export function checkpointSignatureValid(key: Buffer, checkpoint: CheckpointContent & { signature: string }): boolean {
  const expected = Buffer.from(signCheckpoint(key, checkpoint), 'hex');
  const given = Buffer.from(checkpoint.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
