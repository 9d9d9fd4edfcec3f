// The XLSX sheet compressed by the browser's own zlib (CompressionStream) instead of fflate's
// JavaScript: on 100,000 payments (88 MB of sheet XML) the worker's DEFLATE and CRC-32 were the
// largest part of writing the file. Gzip, not deflate-raw, because its trailer carries the CRC-32
// a zip entry needs, computed natively too: the 10-byte header is dropped and the 8-byte trailer
// read, which leaves the raw DEFLATE stream a zip entry holds.
import type { SheetDeflate } from '@feemaster/core';

const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;

/** A SheetDeflate on CompressionStream('gzip'), zlib's default level. */
export function browserSheetDeflate(): SheetDeflate {
  const gzip = new CompressionStream('gzip');
  const writer = gzip.writable.getWriter();
  const reader = gzip.readable.getReader();
  let made: Uint8Array<ArrayBuffer>[] = [];
  let header: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** The last bytes seen, which may be the trailer: only bytes before the last eight are DEFLATE for sure. */
  let tail: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  let size = 0;

  const accept = (chunk: Uint8Array<ArrayBuffer>): void => {
    let bytes = chunk;
    if (header.length < GZIP_HEADER) {
      const wanted = GZIP_HEADER - header.length;
      header = concat(header, bytes.subarray(0, wanted));
      bytes = bytes.subarray(wanted);
      // ID1 ID2, CM 8 (deflate), FLG 0: no optional fields, so the DEFLATE stream starts at byte 10.
      if (header.length === GZIP_HEADER && (header[0] !== 0x1f || header[1] !== 0x8b || header[2] !== 8 || header[3] !== 0)) {
        throw new Error('the browser’s compressor wrote an unexpected gzip header');
      }
    }
    if (bytes.length >= GZIP_TRAILER) {
      if (tail.length > 0) made.push(tail);
      made.push(bytes.subarray(0, bytes.length - GZIP_TRAILER));
      tail = bytes.slice(bytes.length - GZIP_TRAILER);
    } else if (bytes.length > 0) {
      const joined = concat(tail, bytes);
      if (joined.length > GZIP_TRAILER) made.push(joined.subarray(0, joined.length - GZIP_TRAILER));
      tail = joined.slice(Math.max(0, joined.length - GZIP_TRAILER));
    }
  };
  /** Why the compressed stream could not be read, which the next push or end throws. */
  let failure: Error | null = null;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      try {
        accept(value);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        // Errors the stream, so a write waiting for the reading to go on fails instead of waiting forever.
        await reader.cancel(failure);
        return;
      }
    }
  })();
  // The stream itself failed (or was aborted): the next push or end throws why.
  reading.catch((error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
  });
  const failed = (error: unknown): Error => failure ?? (error instanceof Error ? error : new Error(String(error)));

  return {
    async push(data) {
      size += data.length;
      try {
        await writer.write(data);
      } catch (error) {
        throw failed(error);
      }
      if (failure) throw failure;
    },
    take() {
      // zlib hands its output over in small pieces; one buffer per take keeps the worker's messages to the screen few.
      const taken = made.length > 1 ? [concatAll(made)] : made;
      made = [];
      return taken;
    },
    async end() {
      try {
        await writer.close();
      } catch (error) {
        throw failed(error);
      }
      await reading;
      if (failure) throw failure;
      if (header.length < GZIP_HEADER || tail.length < GZIP_TRAILER) throw new Error('the browser’s compressor ended early');
      const trailer = new DataView(tail.buffer, tail.byteOffset, GZIP_TRAILER);
      // ISIZE is the length modulo 2^32; a different one means the stream is not the one pushed.
      if (trailer.getUint32(4, true) !== size % 2 ** 32) throw new Error('the browser’s compressor lost bytes');
      return trailer.getUint32(0, true);
    },
    abort() {
      // The export is over either way; a stream already errored has nothing left to stop.
      writer.abort().catch((error: unknown) => console.debug('the sheet compressor was already stopped', error));
    },
  };
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
