// The notifications the server sends by itself: a payment taken at one office, for the managers
// elsewhere; a desk revoked, for that desk and the admins.
import { formatMoney, newId, type DeviceSummary, type RealtimeEvent, type Role } from '@feemaster/core';
import type { Notifier } from './notifier.ts';

/** Who hears of payments taken at other offices: the people who look after the school's money. */
const PAYMENT_WATCHERS: readonly Role[] = ['owner', 'admin', 'bursar'];

const methodNames: Readonly<Record<string, string>> = {
  cash: 'in cash',
  cheque: 'by cheque',
  bankTransfer: 'by bank transfer',
  mobileMoney: 'by mobile money',
  card: 'by card',
  paypal: 'by PayPal',
};

export async function announcePayments(notifier: Notifier, schoolId: string, written: readonly Record<string, unknown>[]): Promise<void> {
  for (const doc of written) {
    if (doc.type !== 'payment' || typeof doc.amount !== 'number' || typeof doc.currency !== 'string' || typeof doc.id !== 'string') continue;
    const receipt = typeof doc.receiptNumber === 'string' ? doc.receiptNumber : '';
    const method = typeof doc.method === 'string' ? (methodNames[doc.method] ?? `by ${doc.method}`) : '';
    const event: RealtimeEvent = {
      id: newId(),
      kind: 'payment-received',
      at: new Date().toISOString(),
      title: `Payment received: ${formatMoney(doc.amount, doc.currency)}`,
      body: `Receipt ${receipt}, ${method}${doc.offline === true ? ', taken while the desk was offline' : ''}.`,
      from: null,
      subject: { type: 'payment', id: doc.id },
    };
    const officeId = typeof doc.officeId === 'string' ? doc.officeId : undefined;
    await notifier.notify(schoolId, { roles: PAYMENT_WATCHERS, ...(officeId ? { exceptOfficeId: officeId } : {}) }, event);
  }
}

export function deviceRevokedEvent(device: DeviceSummary, now: Date): RealtimeEvent {
  return {
    id: newId(),
    kind: 'device-revoked',
    at: now.toISOString(),
    title: `Desk ${device.code} was revoked`,
    body: `${device.name}: ${device.revokedReason ?? 'no reason given'}. It can no longer sign in or sync; an admin can register it again.`,
    from: null,
    subject: { type: 'device', id: device.id },
  };
}
