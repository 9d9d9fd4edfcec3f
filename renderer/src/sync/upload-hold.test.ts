import { describe, expect, it } from 'vitest';
import { createUploadHold, type UploadState } from './upload-hold.ts';

const row = (id: string, version: string, deleted = false): UploadState => ({ id, version, deleted });
const same = (r: UploadState): UploadState => r;

describe('upload hold', () => {
  it('lets uploads through at once when nothing is held', async () => {
    const hold = createUploadHold();
    expect(await hold.admit([row('a', '1')], same)).toEqual([row('a', '1')]);
  });

  it('holds uploads until every overlapping write is released', async () => {
    const hold = createUploadHold();
    const first = hold.begin();
    const second = hold.begin();
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
    const hold = createUploadHold();
    const write = hold.begin();
    const upload = hold.admit([row('new', 'v2'), row('new', 'v2', true), row('changed', 'v2'), row('changed', 'v1'), row('other', 'v2'), row('other', 'v2', true)], same);
    write.withdraw([{ id: 'new', version: 'v2', created: true }, { id: 'changed', version: 'v2' }]);
    write.release();
    expect(await upload).toEqual([row('changed', 'v1'), row('other', 'v2'), row('other', 'v2', true)]);
    // Later uploads of a withdrawn state are dropped too.
    expect(await hold.admit([row('new', 'v2', true)], same)).toEqual([]);
  });

  it('still uploads a later real removal of a student the undone write had only changed', async () => {
    const hold = createUploadHold();
    const write = hold.begin();
    write.withdraw([{ id: 'changed', version: 'v2' }]);
    write.release();
    expect(await hold.admit([row('changed', 'v3', true)], same)).toEqual([row('changed', 'v3', true)]);
  });
});
