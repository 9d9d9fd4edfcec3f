// Text files in the encodings Excel, Notepad and school systems save: each decodes to the same
// text, without its byte-order mark, and names the encoding it was in.
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeText } from './decode-text.ts';

const TEXT = 'Adm,Name\r\n00123,Zoë Ngʼangʼa – O’Brien 👩🏾‍🎓\r\n';

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Uint8Array {
  const bytes: number[] = bom ? (endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (endian === 'le') bytes.push(unit & 0xff, unit >> 8);
    else bytes.push(unit >> 8, unit & 0xff);
  }
  return Uint8Array.from(bytes);
}

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM, dropping the BOM', () => {
    expect(decodeText(strToU8(TEXT))).toEqual({ text: TEXT, encoding: 'UTF-8' });
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...strToU8(TEXT)]))).toEqual({ text: TEXT, encoding: 'UTF-8' });
  });

  it('reads UTF-16 little- and big-endian, with a BOM or found from the NUL bytes', () => {
    expect(decodeText(utf16(TEXT, 'le', true))).toEqual({ text: TEXT, encoding: 'UTF-16LE' });
    expect(decodeText(utf16(TEXT, 'be', true))).toEqual({ text: TEXT, encoding: 'UTF-16BE' });
    expect(decodeText(utf16(TEXT, 'le', false))).toEqual({ text: TEXT, encoding: 'UTF-16LE' });
    expect(decodeText(utf16(TEXT, 'be', false))).toEqual({ text: TEXT, encoding: 'UTF-16BE' });
  });

  it('reads bytes that are not UTF-8 as Windows-1252, as Excel’s plain "CSV" writes them', () => {
    // "José;Peña;O’Brien;€5" with é, ñ, ’ and € as single Windows-1252 bytes.
    const bytes = Uint8Array.from([0x4a, 0x6f, 0x73, 0xe9, 0x3b, 0x50, 0x65, 0xf1, 0x61, 0x3b, 0x4f, 0x92, 0x42, 0x72, 0x69, 0x65, 0x6e, 0x3b, 0x80, 0x35]);
    expect(decodeText(bytes)).toEqual({ text: 'José;Peña;O’Brien;€5', encoding: 'Windows-1252' });
  });

  it('keeps a UTF-8 BOM’s word over a stray bad byte', () => {
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41, 0xff, 0x42]))).toEqual({ text: 'A\uFFFDB', encoding: 'UTF-8' });
  });

  it('reads an empty file, or one that is only a BOM, as empty text', () => {
    expect(decodeText(new Uint8Array())).toEqual({ text: '', encoding: 'UTF-8' });
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf]))).toEqual({ text: '', encoding: 'UTF-8' });
    expect(decodeText(Uint8Array.from([0xff, 0xfe]))).toEqual({ text: '', encoding: 'UTF-16LE' });
  });
});
