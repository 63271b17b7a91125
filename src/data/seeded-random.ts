/**
 * Small deterministic pseudo-random tools for the synthetic data generator.
 *
 * Contract: the same seed gives the same sequence on every platform and Node version (only
 * 32-bit integer arithmetic via `Math.imul` and `>>>`, no `Math.random`). Not cryptographic.
 */

/** A 32-bit avalanche mix (the murmur3 finaliser): a cheap stateless hash of an integer. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface SeededRandom {
  /** Uniform in [0, 2^32). */
  nextUint32(): number;
  /** Uniform in [0, 1) with 32 random bits. */
  nextFloat(): number;
}

/** sfc32 (Chris Doty-Humphrey's small fast chaotic generator) seeded through `mix32`. */
export function createSeededRandom(seed: number): SeededRandom {
  let a = mix32(seed ^ 0x9e3779b9);
  let b = mix32(a ^ 0x243f6a88);
  let c = mix32(b ^ 0xb7e15162);
  let d = 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // let the seed diffuse
  return { nextUint32, nextFloat: () => nextUint32() / 4_294_967_296 };
}

/**
 * A seeded bijection of [0, size) (size ≤ 2^20): a 4-round Feistel network on 20 bits with
 * cycle walking, so neighbouring inputs land far apart.
 */
export function createPermutation(size: number, seed: number): (x: number) => number {
  if (!Number.isInteger(size) || size < 1 || size > 1 << 20) {
    throw new RangeError(`permutation size must be an integer in [1, 2^20]; got ${size}`);
  }
  const keys = [0, 1, 2, 3].map((r) => mix32(seed + Math.imul(r + 1, 0x632be5ab)));
  const encrypt = (x: number): number => {
    let left = x >>> 10;
    let right = x & 0x3ff;
    for (const key of keys) {
      const next = left ^ (mix32(right ^ key) & 0x3ff);
      left = right;
      right = next;
    }
    return (left << 10) | right;
  };
  return (x: number): number => {
    let y = encrypt(x);
    while (y >= size) y = encrypt(y); // stays in [0, 2^20), so this ends and remains a bijection
    return y;
  };
}

/**
 * `u => Math.floor(inverseCdf(u))` for u in [0, 1), sped up with a table: where the floor is the
 * same at both ends of u's bucket (monotone `inverseCdf`), the table answers without calling
 * `inverseCdf`, so results equal the direct computation while the costly tail stays exact.
 * The floors must fit in int32.
 */
export function createFlooredSampler(inverseCdf: (u: number) => number, buckets = 1 << 12): (u: number) => number {
  // Int32 and few buckets keep the tables of all fields in cache: u is uniform, so every bucket
  // is hit equally often (a big table costs a cache miss per draw).
  const table = new Int32Array(buckets + 1);
  for (let j = 0; j <= buckets; j++) table[j] = Math.floor(inverseCdf(j / buckets));
  return (u: number): number => {
    const j = Math.floor(u * buckets);
    const low = table[j];
    return low === table[j + 1] ? low : Math.floor(inverseCdf(u));
  };
}
