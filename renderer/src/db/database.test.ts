// A desk that ran an older Fee Master opens its replica with the new collection versions and keeps
// every document it held.
import { afterEach, describe, expect, it } from 'vitest';
import { createRxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId, replicatedCollections, type PaymentDoc, type ReferenceDoc, type SettingsDoc } from '@feemaster/core';
import { CREST_JPEG_BASE64 } from '../../../core/src/fees/test-images.ts';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from './database.ts';
import { deskLedgerSchema, withLedgerKeys, type StoredLedgerEntry } from './ledger-keys.ts';

describe('the replica after an update', () => {
  let opened: FeeMasterDatabase | null = null;
  afterEach(async () => {
    await opened?.remove();
  });

  it('opens a version-0 reference collection (before the school logo) with its settings kept, and takes a logo after', async () => {
    const storage: RxStorage<unknown, unknown> = wrappedValidateCoreStorage({ storage: getRxStorageMemory() });
    const schoolId = newId();
    const now = new Date().toISOString();
    const settings: SettingsDoc = {
      id: newId(), schoolId, kind: 'settings', name: 'School settings', createdAt: now, updatedAt: now,
      data: { currency: 'KES', timezone: 'Africa/Nairobi', receiptHeader: 'Riverside Academy', receiptFooter: 'Thank you', siblingOrder: 'eldest-first', voidOnlyInSameSession: true },
    };
    const old = await createRxDatabase({ name: `feemaster-${schoolId}`, storage, multiInstance: false });
    await old.addCollections({ reference: { schema: { ...replicatedCollections.reference.rxSchema, version: 0 } as RxJsonSchema<ReferenceDoc> } });
    await old.collections.reference?.insert(settings);
    await old.close();

    opened = await openDatabase(schoolId, storage);
    expect((await opened.reference.findOne(settings.id).exec())?.toJSON()).toMatchObject({ kind: 'settings', data: settings.data });
    const logo = { mediaType: 'image/jpeg' as const, base64: '/9j/4AAQ' };
    // The logo is checked on the way in as on the server: these few bytes are no picture.
    await expect(opened.reference.upsert({ ...settings, data: { ...settings.data, logo } })).rejects.toThrow();
    await opened.reference.upsert({ ...settings, data: { ...settings.data, logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 } } });
    expect((await opened.reference.findOne(settings.id).exec())?.toJSON()).toMatchObject({ data: { logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 } } });
  });

  it('opens a version-2 ledger (before the card on card payments) with its payments kept, and takes a card after', async () => {
    const storage: RxStorage<unknown, unknown> = wrappedValidateCoreStorage({ storage: getRxStorageMemory() });
    const schoolId = newId();
    const now = new Date().toISOString();
    const payment: PaymentDoc = {
      id: newId(), schoolId, currency: 'KES', createdAt: now, createdBy: newId(), type: 'payment', payerId: newId(), receiptNumber: 'MAIN-D01-000001',
      deviceId: newId(), officeId: newId(), cashSessionId: newId(), method: 'card', reference: 'pi_3QxY7aBcDeFgHiJk', amount: 600_000, offline: false, allocations: [],
    };
    const old = await createRxDatabase({ name: `feemaster-${schoolId}`, storage, multiInstance: false });
    await old.addCollections({ ledger: { schema: { ...deskLedgerSchema, version: 2 } as RxJsonSchema<StoredLedgerEntry> } });
    await old.collections.ledger?.insert(withLedgerKeys(payment));
    await old.close();

    opened = await openDatabase(schoolId, storage);
    expect(opened.ledger.schema.version).toBe(3);
    expect((await opened.ledger.findOne(payment.id).exec())?.toJSON()).toMatchObject({ ...payment, receiptKey: 'MAIN-D01-000001' });
    const withCard = { ...payment, id: newId(), receiptNumber: 'MAIN-D01-000002', card: { brand: 'visa', last4: '4242' } };
    await opened.ledger.insert(withLedgerKeys(withCard));
    expect((await opened.ledger.findOne(withCard.id).exec())?.toJSON()).toMatchObject({ card: { brand: 'visa', last4: '4242' } });
    // Checked on the way in as on the server: a card's last four are four digits.
    await expect(opened.ledger.insert(withLedgerKeys({ ...withCard, id: newId(), receiptNumber: 'MAIN-D01-000003', card: { brand: 'visa', last4: '42' } }))).rejects.toThrow();
  });
});
