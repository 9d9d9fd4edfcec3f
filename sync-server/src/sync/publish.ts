// After a push commits: its payments to the managers at other offices, its conflicts to the
// admins. Its changes reach the live streams through the NOTIFY relay (change-feed.ts).
import { newId, type RealtimeEvent, type Role } from '@feemaster/core';
import type { Notifier } from '../realtime/notifier.ts';
import { announcePayments } from '../realtime/payment-events.ts';
import type { PushResult } from './repository.ts';

const CONFLICT_REVIEWERS: readonly Role[] = ['owner', 'admin'];

export async function publishPush(notifier: Notifier, schoolId: string, collection: string, result: PushResult): Promise<void> {
  // Streams, this instance's included, are fed by the commit-ordered NOTIFY relay (change-feed.ts):
  // publishing here after commit could overtake a push that committed just before.
  if (result.written.length > 0 && collection === 'ledger') await announcePayments(notifier, schoolId, result.written);
  for (const conflict of result.recorded) {
    const event: RealtimeEvent = {
      id: newId(),
      kind: 'sync-conflict',
      at: new Date().toISOString(),
      title: `Sync conflict: ${conflict.label}`,
      body: 'Two desks changed the same field. The version already on the server was kept; review it under Sync conflicts.',
      from: null,
      subject: { type: 'sync-conflict', id: conflict.id },
    };
    await notifier.notify(schoolId, { roles: CONFLICT_REVIEWERS }, event);
  }
}
