import { describe, expect, it } from 'vitest';
import { newId } from '@feemaster/core';
import { createUploadHold, type HeldWrite, type UploadHold, type UploadState } from './upload-hold.ts';

const row = (id: string, version: string, deleted = false): UploadState => ({ id, version, deleted });
const same = (r: UploadState): UploadState => r;

/** An upload through `uploader` still waits a moment later, and goes once `write` is released. */
async function heldUntilReleased(uploader: UploadHold, write: HeldWrite): Promise<void> {
  let admitted: UploadState[] | null = null;
  const upload = uploader.admit([row('a', '1')], same).then((rows) => (admitted = rows));
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(admitted).toBeNull();
  write.release();
  await upload;
  expect(admitted).toEqual([row('a', '1')]);
}

describe('upload hold', () => {
  // Node's Web Locks, as a browser's: one lock name per test, as one per desk database.
  const tab = (lockName: string) => createUploadHold({ lockName });

  it('lets uploads through at once when nothing is held', async () => {
    const hold = tab(newId());
    expect(await hold.admit([row('a', '1')], same)).toEqual([row('a', '1')]);
  });

  it('holds uploads until every overlapping write is released', async () => {
    const hold = tab(newId());
    const first = await hold.begin();
    const second = await hold.begin();
    let admitted: UploadState[] | null = null;
    const upload = hold.admit([row('a', '1')], same).then((rows) => (admitted = rows));
    first.release();
    first.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(admitted).toBeNull();
    second.release();
    await upload;
    expect(admitted).toEqual([row('a', '1')]);
  });

  it('drops the withdrawn states and the removals that undid them, and nothing else', async () => {
    const hold = tab(newId());
    const write = await hold.begin();
    const upload = hold.admit([row('new', 'v2'), row('new', 'v2', true), row('changed', 'v2'), row('changed', 'v1'), row('other', 'v2'), row('other', 'v2', true)], same);
    write.withdraw([{ id: 'new', version: 'v2', created: true }, { id: 'changed', version: 'v2' }]);
    write.release();
    expect(await upload).toEqual([row('changed', 'v1'), row('other', 'v2'), row('other', 'v2', true)]);
    // Later uploads of a withdrawn state are dropped too.
    expect(await hold.admit([row('new', 'v2', true)], same)).toEqual([]);
  });

  it('still uploads a later real removal of a student the undone write had only changed', async () => {
    const hold = tab(newId());
    const write = await hold.begin();
    write.withdraw([{ id: 'changed', version: 'v2' }]);
    write.release();
    expect(await hold.admit([row('changed', 'v3', true)], same)).toEqual([row('changed', 'v3', true)]);
  });

  it("holds the uploads of the desk's other tabs while a write is held in this one", async () => {
    const lockName = newId();
    const [writing, uploading] = [tab(lockName), tab(lockName)];
    const write = await writing.begin();
    // Another desk's lock is another name: its uploads are not held.
    expect(await tab(newId()).admit([row('b', '1')], same)).toEqual([row('b', '1')]);
    await heldUntilReleased(uploading, write);
  });

  it('holds them until every tab has released its writes', async () => {
    const lockName = newId();
    const [one, two, leader] = [tab(lockName), tab(lockName), tab(lockName)];
    const [first, second] = [await one.begin(), await two.begin()];
    let admitted = false;
    const upload = leader.admit([row('a', '1')], same).then(() => (admitted = true));
    first.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(admitted).toBe(false);
    second.release();
    await upload;
    expect(admitted).toBe(true);
  });

  it('begins a write in another tab only after an upload under way there is through', async () => {
    // The upload holds the lock alone for an instant: a write begun then waits for it, not the other way round.
    const lockName = newId();
    const [leader, writer] = [tab(lockName), tab(lockName)];
    const upload = leader.admit([row('a', '1')], same);
    const write = await writer.begin();
    expect(await upload).toEqual([row('a', '1')]);
    await heldUntilReleased(leader, write);
  });

  it("holds this tab's uploads without Web Locks, as before", async () => {
    const hold = createUploadHold({ locks: null });
    await heldUntilReleased(hold, await hold.begin());
  });
});
