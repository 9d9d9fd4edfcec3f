// The keys managers approve refunds with on a desk (core/src/auth/refund-approval.ts): handed out
// at a manager's online sign-in on a registered desk, checked when a desk pushes an approved refund.
// Each key comes from one server secret, itself derived from the access-token signing key, so
// every instance on one database hands out and checks the same keys and nothing more is stored.
// Replacing the signing key (FEEMASTER_JWT_PRIVATE_KEY) ends every key, as it ends offline grants:
// managers sign in again on their desks.
import { hkdfSync } from 'node:crypto';
import { deriveApprovalKey, type approvalKeyLabel } from '@feemaster/core';
import type { Clock, SigningKeys } from './tokens.ts';

export type ApprovalKeyLabel = Parameters<typeof approvalKeyLabel>[0];

export interface ApprovalKeys {
  /** One person's key on one desk, issued at `keyIssuedAt` (whole seconds of their sign-in). */
  keyFor(label: ApprovalKeyLabel): Uint8Array;
  /** How long after it was issued a key may approve: as long as the offline grant of the same sign-in. */
  ttlSeconds: number;
  /** The auth clock: a key dated after it was not issued by this server. */
  clock: Clock;
}

/** 32 bytes of HKDF-SHA256 over the signing key: not the key itself, and nothing else uses them. */
export function approvalSecretOf(keys: SigningKeys): Uint8Array {
  const der = keys.privateKey.export({ type: 'pkcs8', format: 'der' });
  return new Uint8Array(hkdfSync('sha256', der, '', 'fee-master refund approvals v1', 32));
}

export function createApprovalKeys(keys: SigningKeys, ttlSeconds: number, clock: Clock): ApprovalKeys {
  const secret = approvalSecretOf(keys);
  return { keyFor: (label) => deriveApprovalKey(secret, label), ttlSeconds, clock };
}
