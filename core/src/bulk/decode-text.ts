// Turns the bytes of a text file (a CSV someone exported or saved from Excel) into a string,
// guessing the encoding the way a spreadsheet program would: a byte-order mark first, then
// UTF-16 from its NUL bytes, then UTF-8 if the bytes are valid UTF-8, else Windows-1252.

// Core is compiled with neither DOM nor Node types; TextDecoder exists in browsers, Web Workers
// and Node, so only the part used here is declared.
declare const TextDecoder: new (
  label?: string,
  options?: { fatal?: boolean; ignoreBOM?: boolean },
) => { decode(input: Uint8Array): string };

export type TextEncodingName = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'Windows-1252';

export interface DecodedText {
  /** The text without its byte-order mark. */
  text: string;
  /** The encoding found, in the words a person sees in Excel's or Notepad's save dialog. */
  encoding: TextEncodingName;
}

// How many leading bytes to look at when guessing UTF-16 without a BOM.
const SNIFF_BYTES = 4096;

/** Decodes a text file: UTF-8 (with or without BOM), UTF-16 LE/BE (with or without BOM), or Windows-1252. */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    // A UTF-8 BOM is a strong statement; a stray bad byte after it becomes U+FFFD rather than
    // switching the whole file to Windows-1252.
    return { text: decode('utf-8', bytes.subarray(3), false), encoding: 'UTF-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: decode('utf-16le', bytes.subarray(2), false), encoding: 'UTF-16LE' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: decode('utf-16be', bytes.subarray(2), false), encoding: 'UTF-16BE' };

  const utf16 = utf16WithoutBom(bytes);
  if (utf16 === 'UTF-16LE') return { text: decode('utf-16le', bytes, false), encoding: utf16 };
  if (utf16 === 'UTF-16BE') return { text: decode('utf-16be', bytes, false), encoding: utf16 };

  const utf8 = decodeStrictUtf8(bytes);
  if (utf8 !== null) return { text: utf8, encoding: 'UTF-8' };
  // Excel's "CSV" (not "CSV UTF-8") on Western Windows writes this code page.
  return { text: decode('windows-1252', bytes, false), encoding: 'Windows-1252' };
}

function decode(label: string, bytes: Uint8Array, fatal: boolean): string {
  // ignoreBOM: the BOM was already stripped above, and a second one is content.
  return new TextDecoder(label, { fatal, ignoreBOM: true }).decode(bytes);
}

function decodeStrictUtf8(bytes: Uint8Array): string | null {
  try {
    return decode('utf-8', bytes, true);
  } catch (error) {
    // A TypeError is how the decoder says the bytes are not UTF-8; anything else is a real fault.
    if (error instanceof TypeError) return null;
    throw error;
  }
}

/**
 * Mostly-ASCII text in UTF-16 has a NUL in every other byte: the high byte of each character,
 * first in big-endian, second in little-endian. Text in UTF-8 or Windows-1252 has almost none.
 */
function utf16WithoutBom(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | null {
  const length = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (length < 2) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  const pairs = length / 2;
  if (oddNuls >= pairs * 0.25 && evenNuls * 10 <= oddNuls) return 'UTF-16LE';
  if (evenNuls >= pairs * 0.25 && oddNuls * 10 <= evenNuls) return 'UTF-16BE';
  return null;
}
