/**
 * Readers of the repeated numeric fields of a Paddle Tensor, for paddle-request-decoder.ts: each
 * reads one occurrence of a field, packed (wire type 2) or one element per tag, and returns the
 * field's values so far with it appended (several runs of one field append to `previous`).
 *
 * Contract: values as protobufjs reads them: int64 as JS numbers in a Float64Array, int32 and
 * uint32 wrapped into an Int32Array / Uint32Array, float and double into Float32Array /
 * Float64Array, dims (shape, lod) as int32 numbers in a plain array (appended in place). Errors
 * name what is malformed: 'truncated varint in a packed field', 'packed field of N bytes is not a
 * multiple of S', 'wire type W for a repeated field of wire type E', plus the reader's own. In a
 * packed varint field every element ends before the field does (its last byte is checked first),
 * so elements are read without narrowing the reader, and one of up to 4 bytes (ids below 2^28,
 * dims) is read inline.
 */
import type { WireReader } from '../../protocol/wire-reader';

/** Bytes of a packed varint field [start, end) that end a varint: its element count. */
function varintCount(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (bytes[i] < 0x80) count++;
  if (end > start && bytes[end - 1] >= 0x80) throw new Error('truncated varint in a packed field');
  return count;
}

/** A packed field of `length` bytes holding elements of `size` bytes: its element count. */
function fixedCount(length: number, size: number): number {
  if (length % size !== 0) throw new Error(`packed field of ${length} bytes is not a multiple of ${size}`);
  return length / size;
}

function expectElementWire(wire: number, elementWire: number): void {
  if (wire !== elementWire) throw new Error(`wire type ${wire} for a repeated field of wire type ${elementWire}`);
}

function endOfPacked(reader: WireReader, end: number): void {
  if (reader.pos !== end) throw new Error('a packed field does not end on an element');
}

export function readInt64s(r: WireReader, wire: number, previous: Float64Array | undefined): Float64Array {
  return readVarints(r, wire, previous, INT64_FIELD);
}

/** int32 fields (an Int32Array: the low 32 bits of each varint, as protobufjs reads them). */
export function readInt32s(r: WireReader, wire: number, previous: Int32Array | undefined): Int32Array {
  return readVarints(r, wire, previous, INT32_FIELD);
}

/** uint32 fields (and bools, 0 or 1): a Uint32Array. */
export function readUint32s(r: WireReader, wire: number, previous: Uint32Array | undefined): Uint32Array {
  return readVarints(r, wire, previous, UINT32_FIELD);
}

/** A varint repeated field's array type and how one element that is not small is read. */
interface VarintField<T extends Float64Array | Int32Array | Uint32Array> {
  make(length: number): T;
  readOne(r: WireReader): number;
}

const readUint32 = (r: WireReader) => r.uint32();
const INT64_FIELD: VarintField<Float64Array> = { make: (n) => new Float64Array(n), readOne: (r) => r.int64() };
const INT32_FIELD: VarintField<Int32Array> = { make: (n) => new Int32Array(n), readOne: readUint32 };
const UINT32_FIELD: VarintField<Uint32Array> = { make: (n) => new Uint32Array(n), readOne: readUint32 };

function readVarints<T extends Float64Array | Int32Array | Uint32Array>(r: WireReader, wire: number, previous: T | undefined, field: VarintField<T>): T {
  if (wire !== 2) return appendUnpacked(r, wire, 0, previous, field);
  const from = previous === undefined ? 0 : previous.length;
  const length = r.length();
  const end = r.pos + length;
  const out = field.make(from + varintCount(r.bytes, r.pos, end));
  if (previous !== undefined) out.set(previous);
  const bytes = r.bytes;
  let pos = r.pos;
  for (let i = from; i < out.length; i++) {
    const small = smallVarint(bytes, pos);
    if (small >= 0) {
      out[i] = small >>> 3;
      pos += small & 7;
    } else {
      r.pos = pos;
      out[i] = field.readOne(r);
      pos = r.pos;
    }
  }
  r.pos = pos;
  endOfPacked(r, end);
  return out;
}

/** shape and lod: int32 values in a plain array (a typed array of two dims costs more to create). */
export function readDims(r: WireReader, wire: number, previous: number[] | undefined): number[] {
  if (wire !== 2) {
    expectElementWire(wire, 0);
    const value = r.uint32() | 0;
    if (previous === undefined) return [value];
    previous.push(value);
    return previous;
  }
  const length = r.length();
  const end = r.pos + length;
  const count = varintCount(r.bytes, r.pos, end);
  // Sized up front: an array grown from [] by push reserves room for 17 elements.
  const from = previous === undefined ? 0 : previous.length;
  const out = previous ?? new Array<number>(count);
  const bytes = r.bytes;
  let pos = r.pos;
  for (let i = 0; i < count; i++) {
    const small = smallVarint(bytes, pos);
    if (small >= 0) {
      out[from + i] = small >>> 3;
      pos += small & 7;
    } else {
      r.pos = pos;
      out[from + i] = r.uint32() | 0;
      pos = r.pos;
    }
  }
  r.pos = pos;
  endOfPacked(r, end);
  return out;
}

export function readFloat32s(r: WireReader, wire: number, previous: Float32Array | undefined): Float32Array {
  return readFixed(r, wire, previous, F32_FIELD);
}

export function readFloat64s(r: WireReader, wire: number, previous: Float64Array | undefined): Float64Array {
  return readFixed(r, wire, previous, F64_FIELD);
}

/** A fixed-width repeated field's element: its wire type, size, array type and unpacked reader. */
interface FixedField<T extends Float32Array | Float64Array> {
  readonly wire: 1 | 5;
  readonly bytes: 4 | 8;
  make(length: number): T;
  readOne(r: WireReader): number;
}

const F32_FIELD: FixedField<Float32Array> = { wire: 5, bytes: 4, make: (n) => new Float32Array(n), readOne: (r) => r.float32() };
const F64_FIELD: FixedField<Float64Array> = { wire: 1, bytes: 8, make: (n) => new Float64Array(n), readOne: (r) => r.float64() };

function readFixed<T extends Float32Array | Float64Array>(r: WireReader, wire: number, previous: T | undefined, field: FixedField<T>): T {
  if (wire !== 2) return appendUnpacked(r, wire, field.wire, previous, field);
  const from = previous === undefined ? 0 : previous.length;
  const length = r.length();
  const end = r.pos + length;
  const out = field.make(from + fixedCount(length, field.bytes));
  if (previous !== undefined) out.set(previous);
  copyFixed(r, out, from * field.bytes, end);
  return out;
}

/** One element of a field sent unpacked (one tag per element), appended to `previous`. */
function appendUnpacked<T extends Float32Array | Float64Array | Int32Array | Uint32Array>(
  r: WireReader, wire: number, elementWire: number, previous: T | undefined, field: { make(length: number): T; readOne(r: WireReader): number },
): T {
  expectElementWire(wire, elementWire);
  const value = field.readOne(r);
  const from = previous === undefined ? 0 : previous.length;
  const out = field.make(from + 1);
  if (previous !== undefined) out.set(previous);
  out[from] = value;
  return out;
}

/**
 * A packed fixed-width field's bytes [r.pos, end), already checked to lie in the message, copied
 * into `out` from byte `at` in one move: protobuf's fixed32/fixed64 are little-endian, as typed
 * arrays are on every platform Node runs on here.
 */
function copyFixed(r: WireReader, out: Float32Array | Float64Array, at: number, end: number): void {
  new Uint8Array(out.buffer, out.byteOffset + at, end - r.pos).set(r.bytes.subarray(r.pos, end));
  r.pos = end;
}

/**
 * The varint at `pos` when it has at most 4 bytes (a value below 2^28), packed with its byte
 * count as `value << 3 | bytes` (a small integer); -1 when it is longer. Only for varints known
 * to end inside `bytes` (a packed field whose last byte was checked).
 */
function smallVarint(bytes: Uint8Array, pos: number): number {
  let b = bytes[pos];
  if (b < 0x80) return (b << 3) | 1;
  let value = b & 0x7f;
  b = bytes[pos + 1];
  value |= (b & 0x7f) << 7;
  if (b < 0x80) return (value << 3) | 2;
  b = bytes[pos + 2];
  value |= (b & 0x7f) << 14;
  if (b < 0x80) return (value << 3) | 3;
  b = bytes[pos + 3];
  value |= (b & 0x7f) << 21;
  if (b < 0x80) return (value << 3) | 4;
  return -1;
}

