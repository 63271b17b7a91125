/**
 * A deterministic PRNG for the fuzz suite (mulberry32): the same seed gives the same cases on
 * every machine and Node version. Not for anything cryptographic.
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** `bytes` with a few random bytes overwritten (at least one). */
  corrupt(bytes: Uint8Array): Buffer {
    const out = Buffer.from(bytes);
    if (out.length === 0) return out;
    for (let n = this.int(1, 4); n > 0; n--) out[this.int(0, out.length - 1)] = this.int(0, 255);
    return out;
  }
}
