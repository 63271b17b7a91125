/**
 * Decodes Paddle's `general_model.Request` (proto/paddle/general_model_service.proto) straight from
 * the wire into PaddleTensors whose numeric fields are typed arrays: packed ids go from varints
 * into one Float64Array per tensor, with no JS array grown per value and no garbage per id (the
 * reflection decoder's arrays were most of a batch-5 Paddle call's GC).
 *
 * Contract: for any bytes, `decodePaddleRequest` returns what protobufjs's reflection decoder
 * returns with 64-bit integers read as JS numbers (protocol/protobuf-runtime.ts), field by field,
 * except that repeated numeric fields are typed arrays (int64 / uint32 / int32 / double / float
 * values as Float64Array, Uint32Array, Int32Array, Float64Array, Float32Array; bools as a plain
 * array): both packed and unpacked encodings are read (several runs of one field append), unknown
 * fields are skipped by wire type, the last value of a singular field wins, absent fields take
 * proto3 defaults. Malformed bytes
 * (truncated varint or field, a length past the end, a group or unknown wire type) throw an Error.
 */
import type { PaddleRequest, PaddleTensor } from './paddle-messages';

const TWO_32 = 4294967296;
const UTF8 = new TextDecoder('utf-8');
const EMPTY_BYTES = new Uint8Array(0);

class WireReader {
  pos: number;
  /** Where the message being read ends; narrowed while a packed field is read. */
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
    const length = this.length();
    const start = this.pos;
    this.pos += length;
    // Names are short ASCII: building them directly beats TextDecoder's call overhead.
    if (length <= 64) {
      let text = '';
      for (let i = start; i < start + length; i++) {
        const b = this.bytes[i];
        if (b >= 0x80) return UTF8.decode(this.bytes.subarray(start, start + length));
        text += String.fromCharCode(b);
      }
      return text;
    }
    return UTF8.decode(this.bytes.subarray(start, start + length));
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

type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array;
const F64 = (n: number) => new Float64Array(n);
const F32 = (n: number) => new Float32Array(n);
const I32 = (n: number) => new Int32Array(n);
const U32 = (n: number) => new Uint32Array(n);
/** A WireReader method that reads one element. */
type ElementReader = (this: WireReader) => number;

/** Reads a repeated numeric field, packed (wire type 2) or one element per tag, appending to `previous`. */
function readRepeated<T extends NumericArray>(
  reader: WireReader, wireType: number, previous: T | undefined, make: (n: number) => T,
  elementWire: number, fixedSize: number, read: ElementReader,
): T {
  let count: number;
  if (wireType === 2) {
    const length = reader.length();
    const end = reader.pos + length;
    if (fixedSize > 0) {
      if (length % fixedSize !== 0) throw new Error(`packed field of ${length} bytes is not a multiple of ${fixedSize}`);
      count = length / fixedSize;
    } else {
      count = 0;
      for (let i = reader.pos; i < end; i++) if (reader.bytes[i] < 0x80) count++;
      if (length > 0 && reader.bytes[end - 1] >= 0x80) throw new Error('truncated varint in a packed field');
    }
    const out = make((previous?.length ?? 0) + count);
    if (previous !== undefined) out.set(previous);
    const outerEnd = reader.end;
    reader.end = end;
    try {
      for (let i = previous?.length ?? 0; i < out.length; i++) out[i] = read.call(reader);
    } finally {
      reader.end = outerEnd;
    }
    if (reader.pos !== end) throw new Error('a packed field does not end on an element');
    return out;
  }
  if (wireType !== elementWire) throw new Error(`wire type ${wireType} for a repeated field of wire type ${elementWire}`);
  const value = read.call(reader);
  const out = make((previous?.length ?? 0) + 1);
  if (previous !== undefined) out.set(previous);
  out[out.length - 1] = value;
  return out;
}

function decodeTensor(reader: WireReader, end: number): PaddleTensor {
  let int64: Float64Array | undefined;
  let float32: Float32Array | undefined;
  let int32: Int32Array | undefined;
  let float64: Float64Array | undefined;
  let uint32: Uint32Array | undefined;
  let complex64: Float32Array | undefined;
  let complex128: Float64Array | undefined;
  let shape: Int32Array | undefined;
  let lod: Int32Array | undefined;
  let bools: boolean[] = NO_BOOLS;
  let strings: string[] = NO_STRINGS;
  let elemType = 0;
  let name = '';
  let alias = '';
  let content: Uint8Array = EMPTY_BYTES;
  const r = reader;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: int64 = readRepeated(r, wire, int64, F64, 0, 0, WireReader.prototype.int64); break;
      case 2: float32 = readRepeated(r, wire, float32, F32, 5, 4, WireReader.prototype.float32); break;
      case 3: int32 = readRepeated(r, wire, int32, I32, 0, 0, WireReader.prototype.uint32); break;
      case 4: float64 = readRepeated(r, wire, float64, F64, 1, 8, WireReader.prototype.float64); break;
      case 5: uint32 = readRepeated(r, wire, uint32, U32, 0, 0, WireReader.prototype.uint32); break;
      case 6: {
        const values = readRepeated(r, wire, undefined, U32, 0, 0, WireReader.prototype.uint32);
        if (bools === NO_BOOLS) bools = [];
        for (const v of values) bools.push(v !== 0);
        break;
      }
      case 7: complex64 = readRepeated(r, wire, complex64, F32, 5, 4, WireReader.prototype.float32); break;
      case 8: complex128 = readRepeated(r, wire, complex128, F64, 1, 8, WireReader.prototype.float64); break;
      case 9:
        expectWire(wire, 2, field);
        if (strings === NO_STRINGS) strings = [];
        strings.push(r.string());
        break;
      case 10: expectWire(wire, 0, field); elemType = r.uint32() | 0; break;
      case 11: shape = readRepeated(r, wire, shape, I32, 0, 0, WireReader.prototype.uint32); break;
      case 12: lod = readRepeated(r, wire, lod, I32, 0, 0, WireReader.prototype.uint32); break;
      case 13: expectWire(wire, 2, field); name = r.string(); break;
      case 14: expectWire(wire, 2, field); alias = r.string(); break;
      case 15: {
        expectWire(wire, 2, field);
        const length = r.length();
        content = r.bytes.subarray(r.pos, r.pos + length);
        r.pos += length;
        break;
      }
      default: r.skip(wire);
    }
  }
  if (r.pos !== end) throw new Error('a field runs past the end of its tensor');
  return {
    int64_data: int64 ?? EMPTY_F64, float_data: float32 ?? EMPTY_F32, int_data: int32 ?? EMPTY_I32,
    float64_data: float64 ?? EMPTY_F64, uint32_data: uint32 ?? EMPTY_U32, bool_data: bools,
    complex64_data: complex64 ?? EMPTY_F32, complex128_data: complex128 ?? EMPTY_F64, data: strings,
    elem_type: elemType, shape: shape ?? EMPTY_I32, lod: lod ?? EMPTY_I32, name, alias_name: alias, tensor_content: content,
  };
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_F32 = new Float32Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U32 = new Uint32Array(0);
/** Shared, frozen: absent repeated fields read as empty (as protobufjs's shared defaults). */
const NO_BOOLS = Object.freeze([]) as unknown as boolean[];
const NO_STRINGS = Object.freeze([]) as unknown as string[];

function expectWire(wire: number, expected: number, field: number): void {
  if (wire !== expected) throw new Error(`field ${field} has wire type ${wire}; expected ${expected}`);
}

export function decodePaddleRequest(bytes: Uint8Array): PaddleRequest {
  const r = new WireReader(bytes, 0, bytes.byteLength);
  const tensors: PaddleTensor[] = [];
  const fetch: string[] = [];
  let profile = false;
  let logId = 0;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: {
        expectWire(wire, 2, field);
        const length = r.length();
        tensors.push(decodeTensor(r, r.pos + length));
        break;
      }
      case 2: expectWire(wire, 2, field); fetch.push(r.string()); break;
      case 3: expectWire(wire, 0, field); profile = r.uint32() !== 0; break;
      case 4: expectWire(wire, 0, field); logId = r.uint64(); break;
      default: r.skip(wire);
    }
  }
  return { tensor: tensors, fetch_var_names: fetch, profile_server: profile, log_id: logId };
}
