// A small seeded PRNG (sfc32) so every random choice of a run comes from its seed. `fork` gives
// an independent stream per purpose (one per desk, one per proxy connection), so a choice made
// for one desk does not shift the choices made for another when timings differ.

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  fork(label: string | number): Prng;
}

export function createPrng(seed: number): Prng {
  return fromState(hashWords([seed >>> 0, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35]));
}

function fromState(words: readonly number[]): Prng {
  let [a = 0, b = 0, c = 0, d = 0] = words;
  const next32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const prng: Prng = {
    next: () => next32() / 4_294_967_296,
    int: (min, max) => min + Math.floor(prng.next() * (max - min + 1)),
    chance: (probability) => prng.next() < probability,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(prng.next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    // Derived from the current state without advancing it, so forking is order-independent.
    fork: (label) => fromState(hashWords([a, b, c, d, ...[...String(label)].map((ch) => ch.charCodeAt(0))])),
  };
  return prng;
}

/** Mixes any number of 32-bit words into four (murmur3-style finaliser per word). */
function hashWords(words: readonly number[]): number[] {
  const out = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];
  words.forEach((word, i) => {
    let h = Math.imul((word >>> 0) ^ (i * 0x27d4eb2d), 0xcc9e2d51);
    h = Math.imul((h << 15) | (h >>> 17), 0x1b873593);
    const slot = i % 4;
    let o = (out[slot] ?? 0) ^ h;
    o = Math.imul(o ^ (o >>> 16), 0x85ebca6b);
    o = Math.imul(o ^ (o >>> 13), 0xc2b2ae35);
    out[slot] = (o ^ (o >>> 16)) >>> 0;
  });
  return out;
}
