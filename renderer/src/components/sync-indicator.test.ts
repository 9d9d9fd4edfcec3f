import { describe, expect, it } from 'vitest';
import { describeSync } from './sync-indicator.tsx';
import type { SyncStatus } from '../sync/status.ts';

const base: SyncStatus = { network: 'online', server: 'connected', pending: 0, lastSyncAt: '2026-03-01T09:59:58.000Z', overwrittenByServer: 0, refused: 0, error: null, collections: {}, initialSync: null };
const now = new Date('2026-03-01T10:00:00.000Z');

describe('describeSync', () => {
  it('says all is saved when online with nothing pending', () => {
    expect(describeSync(base, now)).toEqual({ tone: 'ok', headline: 'Online', detail: 'All changes saved to the server; last sync just now' });
  });

  it('tells an offline cashier what is waiting and that work can go on', () => {
    const view = describeSync({ ...base, network: 'offline', server: 'unreachable', pending: 2 }, now);
    expect(view.tone).toBe('warn');
    expect(view.headline).toBe('Offline');
    expect(view.detail).toBe('2 changes waiting to sync; last sync just now. You can keep working.');
  });

  it('puts sign-out and errors ahead of the network state', () => {
    expect(describeSync({ ...base, server: 'signed-out', error: 'Sign in again.' }, now)).toMatchObject({ tone: 'error', headline: 'Signed out', detail: 'Sign in again.' });
    expect(describeSync({ ...base, error: 'Student X was refused' }, now)).toMatchObject({ tone: 'error', headline: 'Sync problem' });
    expect(describeSync({ ...base, server: 'outdated', error: 'Update the app' }, now).headline).toBe('Update needed');
  });

  it('reports one waiting change in the singular and never-synced desks plainly', () => {
    expect(describeSync({ ...base, pending: 1, lastSyncAt: null }, now).detail).toBe('1 change waiting to sync; not synced yet');
  });
});
