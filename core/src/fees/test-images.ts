// Real image files for tests of the school logo: a PNG drawn here (RGB, any size, flat or
// noisy so it does not compress) and a small JPEG crest saved by Chromium.
import { zlibSync } from 'fflate';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i += 1) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A real RGB PNG of `width` × `height`: a navy crest on gold, or (noise) random pixels that barely compress. */
export function pngImage(width: number, height: number, options: { noise?: boolean } = {}): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter method, no interlace
  const raw = new Uint8Array(height * (1 + width * 3));
  let seed = 20261206;
  for (let y = 0; y < height; y += 1) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const inside = Math.hypot(x - width / 2, y - height / 2) < Math.min(width, height) / 3;
      const colour = inside ? [0x1d, 0x4e, 0x89] : [0xf2, 0xc1, 0x4e];
      for (let c = 0; c < 3; c += 1) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        raw[row + 1 + x * 3 + c] = options.noise ? seed >>> 24 : (colour[c] ?? 0);
      }
    }
  }
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A 96 × 64 JPEG crest (a gold disc on navy), as Chromium's canvas saved it. */
export const CREST_JPEG_BASE64 = [
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAA',
  'AAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAA',
  'ACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0',
  'AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAA',
  'AAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAM',
  'ZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQa',
  'FRERGCEYGh0dHx8fExciJCIeJBweHx7/2wBDAQUFBQcGBw4ICA4eFBEUHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4e',
  'Hh7/wAARCABAAGADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAAAAcIAwT/xAApEAABBAEBBwQDAQAAAAAAAAABAAIDBAURBgcSFCFhcTFDobEWQVGB',
  '/8QAFwEBAQEBAAAAAAAAAAAAAAAABgABB//EACwRAAECAwQJBQEAAAAAAAAAAAECEQADBAUSMYEGBxMhIkFhcfAUFTJRkUL/2gAMAwEAAhEDEQA/AJEiInsE',
  'YIi7Uq1i7biqVIXzTyuDI42DUuJ/QWKUEhzhEASWEcUVz2H3RUKsMdzaU83aI15VrtIo+xI6uPx59VSMfiMVj42x0cbTrNb6CKFrfoIDaOsGhpllFOgzG5uw',
  'yO8n8hNS6L1E1IVNUE9MT5nGREWushh8VkI3R3sbTstd6iWFrvsKcbc7oqFqCW5syTVtAa8q52sUnYE9Wn48Ks7WDRVMwS6hBlvzdxmdxH5GVWjFRKSVSlBX',
  'TA+ZxDEXa5WsU7UtW3C+GeJxbJG8aFpH6K4p8lQUHGEGiCCxgiItigiIqKCue4PZSKti/wAmuRB1qzq2rxe3GOhcO5Ov+DuVDFrvA02Y/B0aMbeFteuyMDw0',
  'BANYNozKaiRTyy20JfsMRmSITaMUqZtQqaofEbu58Me1EVgXMrHsf3K/x3brcnxfqPqGNZWemu8LvEfRWBR9VsWP7bc4715+TYN1P3FR1nqb3CzRKd/mysVn',
  'FjaanEG2a2jbXD7kZ6Bx/pB0/wAPYKGrXWfpsyGCv0ZG8TbFeSMjy0hZFXTdX1ozKmhXTzC+zIbscBkQYG6T0qZVQmakfIb+48EERE/g1BERUUFrvA3GZDCU',
  'b0buJliuyQHy0FZEVy3B7VxWcb+MXJQ2zX1dU19yP1LR/SDqfB7IBrBs2ZU0SKiWH2ZL9jicmGUJdGKtMmoVKV/eHcRVlYFH0XMrHtj22/wXrzc2wfofuGVZ',
  'R+pu8TNFgUfRFWxbHuVzgu3X5vi3QfUVHR+mvcTvHiz1xmPwl69I7hZXrvkJ8NJWRFct/m1cVbG/jFOUOs2NHW+H24x1DT/CTofA7qGrpur6zZlNRLqJgbaE',
  'N2GBzc5QN0nq0zqhMpP8Y9zBERP4NQREVFBdqVmxStxW6kz4Z4nB8cjDoWkfsLiixSQoMcIgSC4i5bDb3aNqGOntMOUsgac0xuscndwHVp+PCpGPzGKyEbZK',
  'OSp2Wu9DFM130VkVEBtHV9Q1MwzKdZlvyZxkNxH7Cal0nqJSQmakL64HzKNd5DL4rHxukvZKnWa31MszW/ZU2253u0a0MlPZkc1ZI05p7dIo+7Qerj8eVDUV',
  'Z2r6ippgmVCzMbkzDMb3/Yyr0nqJqSmUkI64nzKO1yzYuWpbVqZ808ri+SR51LifUlcURPkpCQwwg0SSXMERFsUf/9k=',
].join('');
