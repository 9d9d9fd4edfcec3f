// The sheet compressed by CompressionStream (Node has the same web API as the desk's browser): a
// workbook whose zip records carry the right CRC-32 and length, and whose sheet is the XML
// fflate's would hold, so a spreadsheet opens it and reads the same cells.
import { crc32, inflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import readXlsxFile from 'read-excel-file/universal';
import { describe, expect, it } from 'vitest';
import { collectExport, exportXlsx, type ExportColumn } from '@feemaster/core';
import { browserSheetDeflate } from './browser-deflate.ts';

interface Line {
  name: string;
  amount: number;
  due: string;
}

const columns: readonly ExportColumn<Line>[] = [
  { key: 'name', header: 'Name', type: 'text' },
  { key: 'amount', header: 'Amount', type: 'money' },
  { key: 'due', header: 'Due date', type: 'date' },
];

/** Each entry's CRC-32 and sizes as the zip's central directory records them (APPNOTE 4.3.12). */
function centralDirectory(zip: Uint8Array): Map<string, { crc: number; compressed: number; size: number }> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries = new Map<string, { crc: number; compressed: number; size: number }>();
  for (let at = 0; at + 46 <= zip.length; at += 1) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    entries.set(name, { crc: view.getUint32(at + 16, true), compressed: view.getUint32(at + 20, true), size: view.getUint32(at + 24, true) });
  }
  return entries;
}

describe("the browser's compressor for the XLSX sheet", () => {
  it('writes a workbook with the same sheet as fflate, and the zip records its true CRC-32 and length', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i): Line => ({ name: i % 7 === 0 ? `=cmd ${String(i)} <&>` : `Pupil ${String(i)} Zoë`, amount: i * 1_337 - 50_000, due: '2025-03-01' }));
    const options = { currency: 'KES', sheetName: 'Payments', batchRows: 250 };
    const native = await collectExport(exportXlsx(columns, rows, { ...options, sheetDeflate: browserSheetDeflate }));
    const fflate = await collectExport(exportXlsx(columns, rows, options));

    const sheet = unzipSync(native)['xl/worksheets/sheet1.xml'] ?? new Uint8Array();
    expect(new TextDecoder().decode(sheet)).toBe(new TextDecoder().decode(unzipSync(fflate)['xl/worksheets/sheet1.xml']));
    const record = centralDirectory(native).get('xl/worksheets/sheet1.xml');
    expect(record).toEqual({ crc: crc32(sheet), compressed: expect.any(Number) as number, size: sheet.length });
    expect(record?.compressed).toBeLessThan(sheet.length / 4);

    const copy = new Uint8Array(native);
    const [first] = await readXlsxFile(copy.buffer, { trim: false });
    expect(first?.data).toHaveLength(3_001);
    expect(first?.data[1]).toEqual(["'=cmd 0 <&>", -500, new Date('2025-03-01T00:00:00.000Z')]);
    expect(first?.data[3_000]?.slice(0, 2)).toEqual(['Pupil 2999 Zoë', 39_596.63]);
  });

  it('gives raw DEFLATE of exactly the bytes pushed, whatever their sizes, and their CRC-32', async () => {
    for (const sizes of [[], [1], [0, 3, 1, 70_000, 2, 100_000, 5]]) {
      const pushed = sizes.map((size, n) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + n * 7 + (i >> 9)) % 251));
      const deflate = browserSheetDeflate();
      const out: Uint8Array[] = [];
      for (const bytes of pushed) {
        await deflate.push(bytes);
        out.push(...deflate.take());
      }
      const crc = await deflate.end();
      out.push(...deflate.take());
      const whole = Buffer.concat([...pushed]);
      expect(inflateRawSync(Buffer.concat(out)).equals(whole)).toBe(true);
      expect(crc).toBe(crc32(whole));
    }
  });

  it('fails a push after it was stopped, so a cancelled export cannot write on', async () => {
    const deflate = browserSheetDeflate();
    await deflate.push(new Uint8Array([1, 2, 3]));
    deflate.abort();
    await expect(deflate.push(new Uint8Array([4]))).rejects.toThrow();
  });
});
