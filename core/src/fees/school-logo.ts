// The school's logo as its settings document carries it: a PNG or JPEG as base64 with its media
// type, small enough to travel with every sync of the settings and to print on a thermal receipt.
// What the file is, is read from its bytes (PNG and JPEG signatures), never from its name.
import { Type, type Static } from '@sinclair/typebox';
import type { ValidationProblem } from '../validation.ts';

/** The largest logo, decoded: 200 KB. */
export const MAX_LOGO_BYTES = 200 * 1024;
/** The widest or tallest logo in pixels: a small PNG can unpack to a huge picture the printer code would have to hold. */
export const MAX_LOGO_PIXELS = 2000;
/** Base64 characters of MAX_LOGO_BYTES (4 per 3 bytes, padded): the schema's backstop; the exact limit is checked on the bytes. */
export const MAX_LOGO_BASE64_LENGTH = Math.ceil(MAX_LOGO_BYTES / 3) * 4;

export const LogoMediaType = Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg')]);
export type LogoMediaType = Static<typeof LogoMediaType>;

export const SchoolLogo = Type.Object(
  {
    mediaType: LogoMediaType,
    /** The image file's bytes in standard base64 (RFC 4648, padded). */
    base64: Type.String({ minLength: 4, maxLength: MAX_LOGO_BASE64_LENGTH, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  },
  { additionalProperties: false },
);
export type SchoolLogo = Static<typeof SchoolLogo>;

export interface LogoImage {
  mediaType: LogoMediaType;
  width: number;
  height: number;
}

const KB = (bytes: number): string => `${String(Math.ceil(bytes / 1024))} KB`;
const NOT_AN_IMAGE = 'This file is not a PNG or JPEG image. Save the logo as PNG or JPEG (in Paint or Preview: Save as… PNG) and choose that file.';
const TOO_BIG = (bytes: number): string =>
  `The logo is ${KB(bytes)}; use a PNG or JPEG under ${KB(MAX_LOGO_BYTES)}, e.g. the logo saved at 600 × 600 pixels or smaller.`;
const TOO_WIDE = (image: LogoImage): string =>
  `The logo is ${String(image.width)} × ${String(image.height)} pixels; use one at most ${String(MAX_LOGO_PIXELS)} pixels wide and high, e.g. 600 × 600.`;

/** Which image the bytes are and its size in pixels, read from the PNG header or the JPEG frame header; null for anything else. */
export function logoImageOf(bytes: Uint8Array): LogoImage | null {
  if (isPng(bytes)) {
    // The IHDR chunk comes first: width and height are its first two 32-bit big-endian numbers.
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    const width = uint32(bytes, 16);
    const height = uint32(bytes, 20);
    return width > 0 && height > 0 ? { mediaType: 'image/png', width, height } : null;
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegImage(bytes);
  return null;
}

function isPng(bytes: Uint8Array): boolean {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte);
}

const uint16 = (bytes: Uint8Array, at: number): number => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const uint32 = (bytes: Uint8Array, at: number): number => uint16(bytes, at) * 0x10000 + uint16(bytes, at + 2);

/** Walks the JPEG's marker segments to its start-of-frame (SOF0–SOF15 but DHT, JPG and DAC), which holds the size. */
function jpegImage(bytes: Uint8Array): LogoImage | null {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or start of scan before any frame
    const length = uint16(bytes, at + 2);
    if (length < 2) return null;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return null;
      const height = uint16(bytes, at + 5);
      const width = uint16(bytes, at + 7);
      return width > 0 && height > 0 ? { mediaType: 'image/jpeg', width, height } : null;
    }
    at += 2 + length;
  }
  return null;
}

/** What is wrong with these bytes as the school's logo, in words that say what to do; null when they will do. */
export function logoBytesProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'This file is empty. Choose the logo’s PNG or JPEG file.';
  const image = logoImageOf(bytes);
  if (!image) return NOT_AN_IMAGE;
  if (bytes.length > MAX_LOGO_BYTES) return TOO_BIG(bytes.length);
  if (image.width > MAX_LOGO_PIXELS || image.height > MAX_LOGO_PIXELS) return TOO_WIDE(image);
  return null;
}

/** A chosen file as the school's logo, or why it will not do. */
export function readSchoolLogo(bytes: Uint8Array): { logo: SchoolLogo; image: LogoImage } | { problem: string } {
  const problem = logoBytesProblem(bytes);
  const image = logoImageOf(bytes);
  if (problem !== null || image === null) return { problem: problem ?? NOT_AN_IMAGE };
  return { logo: { mediaType: image.mediaType, base64: encodeBase64(bytes) }, image };
}

/** The logo's bytes and picture, or why the stored logo will not do (for documents that arrive from elsewhere). */
export function decodeSchoolLogo(logo: SchoolLogo): { bytes: Uint8Array; image: LogoImage } | { problem: string } {
  const bytes = decodeBase64(logo.base64);
  if (bytes === null) return { problem: 'The logo is not valid base64 text. Choose the logo file again.' };
  const problem = logoBytesProblem(bytes);
  const image = logoImageOf(bytes);
  if (problem !== null || image === null) return { problem: problem ?? NOT_AN_IMAGE };
  if (image.mediaType !== logo.mediaType) {
    return { problem: `The logo is a ${image.mediaType === 'image/png' ? 'PNG' : 'JPEG'} image but is labelled ${logo.mediaType}. Choose the logo file again.` };
  }
  return { bytes, image };
}

/** `data:` URL of the logo, for an <img> on screen. */
export function logoDataUrl(logo: SchoolLogo): string {
  return `data:${logo.mediaType};base64,${logo.base64}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGITS = new Map([...ALPHABET].map((char, value) => [char.charCodeAt(0), value]));

/** Standard, padded base64 (core has neither btoa nor Buffer: it runs with no DOM or Node types). */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    parts.push(
      ALPHABET.charAt((n >> 18) & 63),
      ALPHABET.charAt((n >> 12) & 63),
      b === undefined ? '=' : ALPHABET.charAt((n >> 6) & 63),
      c === undefined ? '=' : ALPHABET.charAt(n & 63),
    );
  }
  return parts.join('');
}

/** The bytes of standard padded base64; null for any other text. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let written = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j += 1) {
      const code = text.charCodeAt(i + j);
      const last = i + 4 === text.length;
      if (code === 61 && last && j >= 4 - padding) {
        n <<= 6; // '=' padding
        continue;
      }
      const digit = DIGITS.get(code);
      if (digit === undefined) return null;
      n = (n << 6) | digit;
    }
    for (const shift of [16, 8, 0]) if (written < out.length) out[written++] = (n >> shift) & 255;
  }
  return out;
}

/**
 * A settings document's problems with its logo said in plain words, in place of the schema's
 * ("expected string length less or equal to 273068") for the same field. Desk and server both
 * validate through this, so a logo the desk refused is refused by the server in the same words.
 */
export function withLogoProblems(doc: unknown, problems: ValidationProblem[]): ValidationProblem[] {
  const logo = settingsLogoOf(doc);
  if (logo === null) return problems;
  // Decoding is skipped for text far past the limit: its size is known from its length.
  const problem = logo.base64.length > 2 * MAX_LOGO_BASE64_LENGTH ? TOO_BIG(Math.floor(logo.base64.length / 4) * 3) : decodeProblem(logo);
  if (problem === null) return problems;
  // A problem is a phrase in a longer message ("Setting … was refused: …. Nothing … was saved").
  return [...problems.filter((p) => !p.path.startsWith('/data/logo')), { path: '/data/logo', message: problem.replace(/\.$/, '') }];
}

function decodeProblem(logo: SchoolLogo): string | null {
  const decoded = decodeSchoolLogo(logo);
  return 'problem' in decoded ? decoded.problem : null;
}

function settingsLogoOf(doc: unknown): SchoolLogo | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const { kind, data } = doc as { kind?: unknown; data?: unknown };
  if (kind !== 'settings' || typeof data !== 'object' || data === null) return null;
  const logo = (data as { logo?: unknown }).logo;
  if (typeof logo !== 'object' || logo === null) return null;
  const { mediaType, base64 } = logo as { mediaType?: unknown; base64?: unknown };
  if ((mediaType !== 'image/png' && mediaType !== 'image/jpeg') || typeof base64 !== 'string') return null;
  return { mediaType, base64 };
}
