/**
 * Protobuf wire writing into a Buffer sized beforehand, for the hand-written encoders (Paddle's
 * Response and Request, paddle/service/paddle-response-encoder.ts and paddle-request-writer.ts;
 * rec-serving's Predict messages, predict-message-writer.ts): the size of each value or packed
 * field, and a writer that puts them at a moving position.
 *
 * Contract: bytes as protobufjs writes them: varints little-endian base 128; int32 negatives
 * sign-extended to 10 bytes; int64 as two's complement of the JS number (exact up to 2^53);
 * uint64 from a non-negative JS number; float and double little-endian IEEE 754 (a float is the
 * value rounded to float32, as a Float32Array stores it); strings as UTF-8 (a lone surrogate
 * becomes U+FFFD). A packed field (tag, byte length, elements) is written only by the methods that
 * take a field number; their element values are read with `Number()`. `*Size` functions return
 * exactly the bytes the matching write puts down.
 */

const TWO_32 = 4294967296;

export function varint32Size(value: number): number {
  const v = value >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** An int32 as protobuf writes it: negatives sign-extended to 10 bytes. */
export function int32Size(value: number): number {
  return value < 0 ? 10 : varint32Size(value);
}

/** The two 32-bit halves of a 64-bit two's complement integer given as a JS number. */
function longBits(value: number, into: { lo: number; hi: number }): void {
  const negative = value < 0;
  const magnitude = Math.abs(value);
  let lo = magnitude >>> 0;
  let hi = ((magnitude - lo) / TWO_32) >>> 0;
  if (negative) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 0xffffffff) {
      lo = 0;
      if (++hi > 0xffffffff) hi = 0;
    }
  }
  into.lo = lo;
  into.hi = hi;
}

const BITS = { lo: 0, hi: 0 };

export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  // 35 bits and more: 5 bytes hold 35 bits, each further byte 7.
  const bits = 32 + (32 - Math.clz32(hi));
  return Math.ceil(bits / 7);
}

export function int64Size(value: number): number {
  if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) return varint64Size(value >>> 0, Math.floor(value / TWO_32));
  longBits(value, BITS);
  return varint64Size(BITS.lo, BITS.hi);
}

export function uint64Size(value: number): number {
  const v = Number(value);
  return varint64Size(v >>> 0, Math.floor(v / TWO_32) >>> 0);
}

/** A length-delimited field of `body` bytes with a one-byte tag (fields 1..15). */
export const fieldSize = (body: number): number => 1 + varint32Size(body) + body;

export function int64sSize(values: ArrayLike<unknown>): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) size += int64Size(Number(values[i]));
  return size;
}

export function int32sSize(values: ArrayLike<unknown>): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) size += int32Size(Number(values[i]));
  return size;
}

export function uint32sSize(values: ArrayLike<unknown>): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) size += varint32Size(Number(values[i]));
  return size;
}

/** Strings up to this length are measured and copied in JS when they are ASCII. */
const SHORT_STRING = 64;

/**
 * The last strings measured, by their length (the same output names, aliases and engine name are
 * measured on every call, twice): a small direct-mapped memo, so it stays bounded.
 */
const MEMO_SLOTS = 8;
const memoText: string[] = new Array<string>(MEMO_SLOTS).fill('');
const memoLength: number[] = new Array<number>(MEMO_SLOTS).fill(0);

/** UTF-8 bytes of `text` (its length when it is ASCII). */
export function utf8Length(text: string): number {
  const n = text.length;
  if (n > SHORT_STRING) return Buffer.byteLength(text, 'utf8');
  const slot = n & (MEMO_SLOTS - 1);
  if (memoText[slot] === text) return memoLength[slot];
  let length = n;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      length = Buffer.byteLength(text, 'utf8');
      break;
    }
  }
  memoText[slot] = text;
  memoLength[slot] = length;
  return length;
}

/**
 * Packed float/double fields this long or longer are copied as bytes from a matching typed array
 * unless they hold a NaN (whose payload bits a copy would keep but a store through a number may not).
 */
const BULK_ELEMENTS = 16;
function hasNaN(values: Float32Array | Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return true;
  return false;
}

const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

export class WireWriter {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint32(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  int32(value: number): void {
    if (value < 0) this.varint64(value >>> 0, 0xffffffff);
    else this.varint32(value);
  }

  int64(value: number): void {
    // Non-negative up to 2^53 (ids, µs timestamps): the halves without the two's complement work.
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.varint64(value >>> 0, Math.floor(value / TWO_32));
      return;
    }
    longBits(value, BITS);
    this.varint64(BITS.lo, BITS.hi);
  }

  uint64(value: number): void {
    this.varint64(value >>> 0, Math.floor(value / TWO_32) >>> 0);
  }

  varint64(lo: number, hi: number): void {
    while (hi !== 0 || lo >= 0x80) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  /** Field `field` (1..15) as a length-delimited string. */
  string(field: number, value: string): void {
    this.buf[this.pos++] = (field << 3) | 2;
    const length = utf8Length(value);
    this.varint32(length);
    if (length === value.length && length <= SHORT_STRING) {
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < length; i++) buf[at + i] = value.charCodeAt(i);
      this.pos = at + length;
    } else {
      this.pos += this.buf.write(value, this.pos, 'utf8');
    }
  }

  bytes(field: number, value: Uint8Array): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(value.byteLength);
    this.buf.set(value, this.pos);
    this.pos += value.byteLength;
  }

  /**
   * A typed array's memory as it is, with no tag or length (the caller wrote them). One byte view
   * and a native copy per array: for a batch-5 Criteo request's 27 small arrays that is faster
   * than a byte loop through a cached view of their buffer, whether they share one or not
   * (about 3.4 against 4.3-5.0 µs per request in a tight loop).
   */
  memory(data: ArrayBufferView): void {
    this.buf.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.pos);
    this.pos += data.byteLength;
  }

  int64s(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(int64sSize(values));
    for (let i = 0; i < values.length; i++) this.int64(Number(values[i]));
  }

  int32s(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(int32sSize(values));
    for (let i = 0; i < values.length; i++) this.int32(Number(values[i]));
  }

  uint32s(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(uint32sSize(values));
    for (let i = 0; i < values.length; i++) this.varint32(Number(values[i]));
  }

  bools(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(values.length);
    for (let i = 0; i < values.length; i++) this.buf[this.pos++] = values[i] ? 1 : 0;
  }

  floats(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(4 * values.length);
    if (values instanceof Float32Array && values.length >= BULK_ELEMENTS && !hasNaN(values)) {
      this.buf.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.pos);
      this.pos += values.byteLength;
      return;
    }
    const buf = this.buf;
    for (let i = 0; i < values.length; i++) {
      F32[0] = Number(values[i]);
      buf[this.pos] = F32_BYTES[0];
      buf[this.pos + 1] = F32_BYTES[1];
      buf[this.pos + 2] = F32_BYTES[2];
      buf[this.pos + 3] = F32_BYTES[3];
      this.pos += 4;
    }
  }

  doubles(field: number, values: ArrayLike<unknown>): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint32(8 * values.length);
    if (values instanceof Float64Array && values.length >= BULK_ELEMENTS && !hasNaN(values)) {
      this.buf.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.pos);
      this.pos += values.byteLength;
      return;
    }
    const buf = this.buf;
    for (let i = 0; i < values.length; i++) {
      F64[0] = Number(values[i]);
      for (let b = 0; b < 8; b++) buf[this.pos + b] = F64_BYTES[b];
      this.pos += 8;
    }
  }
}
