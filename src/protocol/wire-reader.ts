/**
 * A cursor over protobuf wire bytes for the hand-written decoders (Paddle's Request,
 * paddle/service/paddle-request-decoder.ts; rec-serving's PredictRequest, predict-request-reader.ts):
 * varints (as uint32, int64 and uint64 JS numbers), fixed32/64 floats, length-delimited strings
 * and skipping by wire type.
 *
 * Contract: every read checks the bytes left before `end` and throws an Error naming what is
 * malformed ('truncated varint', 'varint longer than 10 bytes', 'length N runs past the end of the
 * message', 'truncated fixed32' / 'fixed64', 'truncated field', 'invalid wire type N'). 64-bit
 * varints become JS numbers as protobufjs's `longs: Number` does (rounded beyond 2^53). Strings
 * are UTF-8 decoded: `string()` turns invalid sequences into U+FFFD, `strictString()` throws
 * TextDecoder's TypeError for them (as protobufjs's decoder does); short ASCII ones are reused
 * from a bounded cache of recent strings, since the same feed names arrive on every call.
 */

const TWO_32 = 4294967296;
const UTF8 = new TextDecoder('utf-8');
const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true });

export class WireReader {
  pos: number;
  /** Where the message being read ends. */
  end: number;
  private dataView: DataView | undefined;

  constructor(readonly bytes: Uint8Array, start: number, end: number) {
    this.pos = start;
    this.end = end;
  }

  private get view(): DataView {
    this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.dataView;
  }

  /** A varint's low 32 bits (int32 / uint32 / enum / bool / tag). */
  uint32(): number {
    const bytes = this.bytes;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = bytes[this.pos++];
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
      shift += 7;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** A field's tag: one byte for fields 1..15, read inline; longer ones as any varint. */
  tag(): number {
    const b = this.bytes[this.pos];
    if (b < 0x80 && this.pos < this.end) {
      this.pos++;
      return b;
    }
    return this.uint32();
  }

  /** A varint as a signed 64-bit integer, as a JS number (rounded beyond 2^53, as protobufjs does). */
  int64(): number {
    this.longBits();
    return toNumber(this.lo, this.hi);
  }

  /** A varint as an unsigned 64-bit integer, as a JS number. */
  uint64(): number {
    this.longBits();
    return this.lo + this.hi * TWO_32;
  }

  private lo = 0;
  private hi = 0;

  /** Reads a varint's 64 bits into `lo` and `hi` (unsigned 32-bit halves). */
  private longBits(): void {
    const bytes = this.bytes;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = bytes[this.pos++];
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new Error('varint longer than 10 bytes');
  }

  length(): number {
    const length = this.uint32();
    if (length > this.end - this.pos) throw new Error(`length ${length} runs past the end of the message`);
    return length;
  }

  float32(): number {
    if (this.end - this.pos < 4) throw new Error('truncated fixed32');
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  float64(): number {
    if (this.end - this.pos < 8) throw new Error('truncated fixed64');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  string(): string {
    return this.utf8(UTF8);
  }

  /** As `string()`, but invalid UTF-8 throws. */
  strictString(): string {
    return this.utf8(UTF8_FATAL);
  }

  private utf8(decoder: { decode(bytes: Uint8Array): string }): string {
    const length = this.length();
    const start = this.pos;
    this.pos += length;
    // Names are short ASCII and repeat on every call: a recent one is reused, a new one is built
    // directly (cheaper than TextDecoder's call overhead).
    if (length <= MAX_CACHED_NAME) {
      const text = shortAscii(this.bytes, start, length);
      if (text !== undefined) return text;
    }
    return decoder.decode(this.bytes.subarray(start, start + length));
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.uint32(); return;
      case 1: this.advance(8); return;
      case 2: this.advance(this.length()); return;
      case 5: this.advance(4); return;
      default: throw new Error(`invalid wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.end - this.pos < count) throw new Error('truncated field');
    this.pos += count;
  }
}

/** Throws when a field's wire type is not the one its declared type needs; `field` names it ("field 3" or "Tensor.name"). */
export function expectWireType(wire: number, expected: number, field: string): void {
  if (wire !== expected) throw new Error(`${field} has wire type ${wire}; expected ${expected}`);
}

/** Longest string `shortAscii` reads (and caches). */
const MAX_CACHED_NAME = 64;
/**
 * Short ASCII strings read lately (feed names, aliases, fetch names), in slots picked by their
 * length and first, middle and last bytes (C1..C26 and dense_input get distinct slots): bounded.
 */
const NAME_CACHE = new Array<string>(512).fill('');

/**
 * `length` bytes from `start` as a string when they are all ASCII (undefined otherwise): the
 * cached string when its slot holds the same bytes (a cached string is ASCII, so a match is one
 * pass), else a new one, which takes the slot.
 */
function shortAscii(bytes: Uint8Array, start: number, length: number): string | undefined {
  if (length === 0) return '';
  const end = start + length;
  const slot = (((length * 31 + bytes[start]) * 31 + bytes[start + (length >> 1)]) * 31 + bytes[end - 1]) & (NAME_CACHE.length - 1);
  const cached = NAME_CACHE[slot];
  if (cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++;
    if (i === length) return cached;
  }
  let text = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b >= 0x80) return undefined;
    text += String.fromCharCode(b);
  }
  NAME_CACHE[slot] = text;
  return text;
}

function toNumber(lo: number, hi: number): number {
  if (hi >>> 31) {
    let negLo = (~lo + 1) >>> 0;
    let negHi = ~hi >>> 0;
    if (negLo === 0) negHi = (negHi + 1) >>> 0;
    else negLo >>>= 0;
    return -(negLo + negHi * TWO_32);
  }
  return lo + hi * TWO_32;
}

