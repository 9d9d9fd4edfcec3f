// A manager's approval signs exactly one refund with a key only the server and the manager's
// password can give: a changed refund, another key or a mangled signature no longer matches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import { validateAgainst } from '../validation.ts';
import { RefundEntry, type RefundDoc } from '../fees/ledger.ts';
import { approvalKeyLabel, approvalSignatureMatches, approveRefund, deriveApprovalKey, fromBase64Url, toBase64Url } from './refund-approval.ts';

const serverSecret = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const who = { schoolId: newId(), userId: newId(), deviceId: newId(), keyIssuedAt: 1_767_000_000 };
const key = deriveApprovalKey(serverSecret, who);
const refund: RefundDoc = {
  id: newId(),
  schoolId: who.schoolId,
  currency: 'KES',
  createdAt: '2026-01-20T09:00:00.000Z',
  createdBy: newId(),
  deviceId: who.deviceId,
  type: 'refund',
  payerId: newId(),
  amount: 250_000,
  method: 'cash',
  reason: 'Paid twice for term 1',
  paymentId: newId(),
};
const approval = { approvedBy: who.userId, approvedAt: '2026-01-20T09:01:00.000Z', keyIssuedAt: who.keyIssuedAt };

describe('base64url', () => {
  it('writes RFC 4648 base64url without padding and round-trips any bytes', () => {
    expect(toBase64Url(new Uint8Array())).toBe('');
    expect(toBase64Url(Uint8Array.from([0xff]))).toBe('_w');
    expect(toBase64Url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect(toBase64Url(Uint8Array.from([0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72]))).toBe('Zm9vYmFy');
    expect(toBase64Url(Uint8Array.from([0x66, 0x6f, 0x6f, 0x62]))).toBe('Zm9vYg');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('refuses characters outside the alphabet and cut-off text', () => {
    expect(() => fromBase64Url('ab+c')).toThrow(/'\+' is not a base64url character/);
    expect(() => fromBase64Url('abcde')).toThrow(/cannot be whole bytes/);
  });
});

describe('refund approvals', () => {
  it('derives one key per person, desk and sign-in', () => {
    expect(approvalKeyLabel(who)).toBe(`fee-master refund approval key v1|${who.schoolId}|${who.userId}|${who.deviceId}|1767000000`);
    expect(toBase64Url(deriveApprovalKey(serverSecret, who))).toBe(toBase64Url(key));
    for (const other of [{ ...who, userId: newId() }, { ...who, deviceId: newId() }, { ...who, keyIssuedAt: who.keyIssuedAt + 1 }]) {
      expect(toBase64Url(deriveApprovalKey(serverSecret, other))).not.toBe(toBase64Url(key));
    }
  });

  it('signs a refund so that it validates and matches its key', () => {
    const approved = approveRefund(refund, key, approval);
    expect(validateAgainst(RefundEntry, approved)).toEqual([]);
    expect(approved.approval).toMatchObject(approval);
    expect(approvalSignatureMatches(approved, key)).toBe(true);
    // As it reaches the server: with replication fields, which are not the refund's own.
    expect(approvalSignatureMatches({ ...approved, _deleted: false, _rev: '1-a' } as RefundDoc, key)).toBe(true);
    // Signing again gives the same signature: nothing random goes in.
    expect(approveRefund(approved, key, approval).approval?.signature).toBe(approved.approval?.signature);
  });

  it('no longer matches once anything of the refund or its approval changes, or with another key', () => {
    const approved = approveRefund(refund, key, approval);
    const changed: RefundDoc[] = [
      { ...approved, amount: approved.amount + 1 },
      { ...approved, reason: 'Something else' },
      { ...approved, method: 'mobileMoney' },
      { ...approved, paymentId: newId() },
      { ...approved, approval: { ...approval, signature: approved.approval?.signature ?? '', approvedBy: newId() } },
      { ...approved, approval: { ...approval, signature: approved.approval?.signature ?? '', keyIssuedAt: who.keyIssuedAt - 60 } },
    ];
    for (const doc of changed) expect(approvalSignatureMatches(doc, key)).toBe(false);
    expect(approvalSignatureMatches(approved, deriveApprovalKey(serverSecret, { ...who, deviceId: newId() }))).toBe(false);
    expect(approvalSignatureMatches(refund, key)).toBe(false);
    expect(approvalSignatureMatches({ ...approved, approval: { ...approval, signature: '!'.repeat(43) } }, key)).toBe(false);
  });
});
