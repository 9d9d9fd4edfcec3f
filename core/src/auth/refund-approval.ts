// A manager's approval of a refund, entered on a desk that may be offline. At a manager's online
// sign-in on a registered desk the server hands them an approval key derived from its own secret,
// the person, the desk and the moment (approvalKeyLabel); the desk keeps it encrypted under the
// manager's password. Approving, the manager types the password, the desk opens the key and signs
// the refund with it (HMAC-SHA256 of the refund's canonical JSON without the signature). The server
// derives the same key and checks the signature: the desk alone, without the manager's password,
// cannot make one, and a changed refund no longer matches.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { RefundEntry, type RefundApproval, type RefundDoc } from '../fees/ledger.ts';
import { canonicalJson } from '../sync/protocol.ts';

/** What the server's secret is mixed with to give one person's key on one desk. */
export function approvalKeyLabel(input: { schoolId: string; userId: string; deviceId: string; keyIssuedAt: number }): string {
  return `fee-master refund approval key v1|${input.schoolId}|${input.userId}|${input.deviceId}|${String(input.keyIssuedAt)}`;
}

/** The refund's own fields: not replication fields (`_deleted`, `_rev`…) nor a desk's lookup keys. */
const signedFields = Object.keys(RefundEntry.properties).filter((field) => field !== 'approval');

/** The bytes signed: the refund's fields, its approval without the signature. */
export function approvalMessage(refund: RefundDoc, approval: Omit<RefundApproval, 'signature'>): Uint8Array {
  const fields: Record<string, unknown> = {};
  for (const field of signedFields) {
    const value = (refund as Record<string, unknown>)[field];
    if (value !== undefined) fields[field] = value;
  }
  const { approvedBy, approvedAt, keyIssuedAt } = approval;
  return utf8ToBytes(`fee-master refund approval v1\n${canonicalJson({ ...fields, approval: { approvedBy, approvedAt, keyIssuedAt } })}`);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** The bytes of base64url text (no padding); throws on any other character or a cut-off length. */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Error('base64url text of this length cannot be whole bytes');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new Error(`'${char}' is not a base64url character`);
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 255);
    }
  }
  return Uint8Array.from(out);
}

/** Derives a person's approval key from the server's secret (server side). */
export function deriveApprovalKey(serverSecret: Uint8Array, label: Parameters<typeof approvalKeyLabel>[0]): Uint8Array {
  return hmac(sha256, serverSecret, utf8ToBytes(approvalKeyLabel(label)));
}

/** Signs the refund: returns it with its approval. */
export function approveRefund(refund: RefundDoc, key: Uint8Array, approval: Omit<RefundApproval, 'signature'>): RefundDoc {
  const signature = toBase64Url(hmac(sha256, key, approvalMessage(refund, approval)));
  return { ...refund, approval: { ...approval, signature } };
}

/** Whether the refund's approval was made with `key` for exactly this refund (constant time). */
export function approvalSignatureMatches(refund: RefundDoc, key: Uint8Array): boolean {
  const approval = refund.approval;
  if (approval === undefined) return false;
  const expected = hmac(sha256, key, approvalMessage(refund, approval));
  let given: Uint8Array;
  try {
    given = fromBase64Url(approval.signature);
  } catch {
    return false;
  }
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= (expected[i] ?? 0) ^ (given[i] ?? 0);
  return difference === 0;
}
