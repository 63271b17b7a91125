/**
 * Deterministic pseudo-random tools for the synthetic data generator, the load generator and
 * weight initialisation: xoshiro128** (Blackman & Vigna) seeded through SplitMix32 with named
 * streams, Box-Muller normals, a truncated normal that resamples draws beyond 2 standard
 * deviations (TensorFlow/Paddle `truncated_normal` semantics), a stateless integer hash, a seeded
 * permutation and a table-accelerated sampler.
 *
 * Contract: the same (seed, stream) gives the same sequence on every platform and Node version
 * (only 32-bit integer arithmetic via `Math.imul` and `>>>`, and Math.log/sqrt/cos/sin on fixed
 * inputs; no `Math.random`). Different stream names give independent sequences. Not cryptographic.
 */

/** A 32-bit avalanche mix (the murmur3 finaliser): a cheap stateless hash of an integer. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
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

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = 0;
  private hasSpare = false;

  private constructor(seed: number, stream: string) {
    // SplitMix32 over (seed, FNV-1a(stream)) fills the 128-bit state; it is never all zero.
    let x = (Math.trunc(seed) ^ fnv1a(stream)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let t = x ^ (x >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator for `seed` (an integer; only its low 32 bits matter) and a named stream. */
  static create(seed: number, stream = ''): SeededRandom {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number; got ${seed}`);
    return new SeededRandom(seed, stream);
  }

  /** A generator with an explicit xoshiro128** state (for checking published test vectors). @private */
  static fromState(s0: number, s1: number, s2: number, s3: number): SeededRandom {
    const r = new SeededRandom(0, '');
    r.s0 = s0 | 0; r.s1 = s1 | 0; r.s2 = s2 | 0; r.s3 = s3 | 0;
    return r;
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in the open interval (0, 1). */
  nextOpenUnit(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextOpenUnit()));
    const theta = TWO_PI * this.nextOpenUnit();
    this.spareNormal = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /** Fills out[start, end) with N(0, std²) draws. */
  fillNormal(out: Float32Array, std: number, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) out[i] = std * this.nextNormal();
  }

  /** Fills out[start, end) with N(0, std²) draws, resampling any beyond 2 std. */
  fillTruncatedNormal(out: Float32Array, std: number, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) {
      let z = this.nextNormal();
      while (z > 2 || z < -2) z = this.nextNormal();
      out[i] = std * z;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
