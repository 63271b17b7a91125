/**
 * A small deterministic random source for weight initialisation: xoshiro128** (Blackman & Vigna)
 * seeded through SplitMix32, Box-Muller normals, and a truncated normal that resamples draws
 * beyond 2 standard deviations (TensorFlow/Paddle `truncated_normal` semantics).
 *
 * Contract: the same (seed, stream) pair yields the same sequence on every platform and Node
 * version (only 32-bit integer ops, Math.log/sqrt/cos/sin on fixed inputs). Different stream
 * names give independent sequences, so one parameter's values don't depend on another's size.
 * Not cryptographic. About 25 M normals per second.
 */

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
