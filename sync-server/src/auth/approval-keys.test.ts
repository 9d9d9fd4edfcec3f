// The refund-approval secret: every instance holding the same signing key derives the same one,
// and it is neither the key nor shared with another key.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '@feemaster/core';
import { approvalSecretOf, createApprovalKeys } from './approval-keys.ts';
import { parseSigningKey } from './tokens.ts';

const pem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('approval keys', () => {
  it('are the same on every instance with the signing key, and differ with another key', () => {
    const key = pem();
    const label = { schoolId: newId(), userId: newId(), deviceId: newId(), keyIssuedAt: 1_767_225_600 };
    const one = createApprovalKeys(parseSigningKey(key, 'test'), 86_400, () => new Date());
    const two = createApprovalKeys(parseSigningKey(key, 'test'), 86_400, () => new Date());
    const other = createApprovalKeys(parseSigningKey(pem(), 'test'), 86_400, () => new Date());
    expect(one.keyFor(label)).toEqual(two.keyFor(label));
    expect(one.keyFor(label)).toHaveLength(32);
    expect(other.keyFor(label)).not.toEqual(one.keyFor(label));
    expect(one.keyFor({ ...label, keyIssuedAt: label.keyIssuedAt + 1 })).not.toEqual(one.keyFor(label));
  });

  it('come from a secret that is not the signing key itself', () => {
    const keys = parseSigningKey(pem(), 'test');
    const secret = approvalSecretOf(keys);
    expect(secret).toHaveLength(32);
    const der = keys.privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(Buffer.from(der).includes(Buffer.from(secret))).toBe(false);
  });
});
