/**
 * Encodes Paddle's `general_model.Response` (proto/paddle/general_model_service.proto) in one pass
 * into one exactly sized Buffer: sizes are computed first, then every field is written in place,
 * with no intermediate writer objects per field (the reflection encoder's were a visible share of a
 * batch-5 Paddle call).
 *
 * Contract: for any PaddleResponse, `encodePaddleResponse` returns the same bytes as protobufjs's
 * reflection encoder (protocol/protobuf-runtime.ts): fields in number order; a singular field is
 * written when it is present (own property, not null/undefined) and not its proto3 default (0,
 * false, "", empty bytes); a repeated field when it is not empty, numeric ones packed; int32 and
 * int64 negatives as 10-byte varints.
 * Strings are written as UTF-8 (well-formed strings; a lone surrogate becomes U+FFFD).
 */
import type { PaddleModelOutput, PaddleResponse, PaddleTensor } from './paddle-messages';

const TWO_32 = 4294967296;

function varint32Size(value: number): number {
  const v = value >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** An int32 as protobuf writes it: negatives sign-extended to 10 bytes. */
function int32Size(value: number): number {
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

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  // 35 bits and more: 5 bytes hold 35 bits, each further byte 7.
  const bits = 32 + (32 - Math.clz32(hi));
  return Math.ceil(bits / 7);
}

function int64Size(value: number): number {
  longBits(value, BITS);
  return varint64Size(BITS.lo, BITS.hi);
}

/** A singular proto3 field is written when present and not its default (0, false, '', empty bytes). */
const has = (message: object, field: string): boolean => {
  if (!Object.prototype.hasOwnProperty.call(message, field)) return false;
  const value = (message as Record<string, unknown>)[field];
  if (value == null || value === 0 || value === false || value === '') return false;
  return !(value instanceof Uint8Array && value.byteLength === 0);
};
const nonEmpty = (values: ArrayLike<unknown> | undefined): values is ArrayLike<unknown> => values != null && values.length > 0;

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint32(value: number): void {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  int32(value: number): void {
    if (value < 0) this.varint64(value >>> 0, 0xffffffff);
    else this.varint32(value);
  }

  int64(value: number): void {
    longBits(value, BITS);
    this.varint64(BITS.lo, BITS.hi);
  }

  varint64(lo: number, hi: number): void {
    while (hi !== 0 || lo >= 0x80) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  string(value: string, length: number): void {
    this.varint32(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }
}

type Repeated = 'int64' | 'float' | 'int32' | 'double' | 'uint32' | 'bool';

/** Tensor fields 1..8 and 11, 12: number, element kind. */
const PACKED: ReadonlyArray<[number, keyof PaddleTensor, Repeated]> = [
  [1, 'int64_data', 'int64'], [2, 'float_data', 'float'], [3, 'int_data', 'int32'], [4, 'float64_data', 'double'],
  [5, 'uint32_data', 'uint32'], [6, 'bool_data', 'bool'], [7, 'complex64_data', 'float'], [8, 'complex128_data', 'double'],
];

function packedBodySize(values: ArrayLike<unknown>, kind: Repeated): number {
  switch (kind) {
    case 'float': return 4 * values.length;
    case 'double': return 8 * values.length;
    case 'bool': return values.length;
    default: {
      let size = 0;
      for (let i = 0; i < values.length; i++) {
        const v = Number(values[i]);
        size += kind === 'int64' ? int64Size(v) : kind === 'int32' ? int32Size(v) : varint32Size(v);
      }
      return size;
    }
  }
}

function writePacked(out: Out, values: ArrayLike<unknown>, kind: Repeated): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (kind) {
      case 'float': out.pos = out.buf.writeFloatLE(Number(v), out.pos); break;
      case 'double': out.pos = out.buf.writeDoubleLE(Number(v), out.pos); break;
      case 'bool': out.buf[out.pos++] = v ? 1 : 0; break;
      case 'int64': out.int64(Number(v)); break;
      case 'int32': out.int32(Number(v)); break;
      default: out.varint32(Number(v));
    }
  }
}

const fieldSize = (body: number) => 1 + varint32Size(body) + body;

function tensorSize(tensor: PaddleTensor): number {
  let size = 0;
  for (const [, field, kind] of PACKED) {
    const values = tensor[field] as ArrayLike<unknown> | undefined;
    if (nonEmpty(values)) size += fieldSize(packedBodySize(values, kind));
  }
  const texts = tensor.data ?? [];
  for (let i = 0; i < texts.length; i++) size += fieldSize(Buffer.byteLength(texts[i], 'utf8'));
  if (has(tensor, 'elem_type')) size += 1 + int32Size(tensor.elem_type!);
  if (nonEmpty(tensor.shape)) size += fieldSize(packedBodySize(tensor.shape, 'int32'));
  if (nonEmpty(tensor.lod)) size += fieldSize(packedBodySize(tensor.lod, 'int32'));
  if (has(tensor, 'name')) size += fieldSize(Buffer.byteLength(tensor.name!, 'utf8'));
  if (has(tensor, 'alias_name')) size += fieldSize(Buffer.byteLength(tensor.alias_name!, 'utf8'));
  if (has(tensor, 'tensor_content')) size += fieldSize(tensor.tensor_content!.byteLength);
  return size;
}

function writeTensor(out: Out, tensor: PaddleTensor): void {
  for (const [number, field, kind] of PACKED) {
    const values = tensor[field] as ArrayLike<unknown> | undefined;
    if (!nonEmpty(values)) continue;
    out.varint32((number << 3) | 2);
    out.varint32(packedBodySize(values, kind));
    writePacked(out, values, kind);
  }
  const texts = tensor.data ?? [];
  for (let i = 0; i < texts.length; i++) {
    out.varint32((9 << 3) | 2);
    out.string(texts[i], Buffer.byteLength(texts[i], 'utf8'));
  }
  if (has(tensor, 'elem_type')) {
    out.varint32(10 << 3);
    out.int32(tensor.elem_type!);
  }
  for (const [number, values] of [[11, tensor.shape], [12, tensor.lod]] as const) {
    if (!nonEmpty(values)) continue;
    out.varint32((number << 3) | 2);
    out.varint32(packedBodySize(values, 'int32'));
    writePacked(out, values, 'int32');
  }
  if (has(tensor, 'name')) {
    out.varint32((13 << 3) | 2);
    out.string(tensor.name!, Buffer.byteLength(tensor.name!, 'utf8'));
  }
  if (has(tensor, 'alias_name')) {
    out.varint32((14 << 3) | 2);
    out.string(tensor.alias_name!, Buffer.byteLength(tensor.alias_name!, 'utf8'));
  }
  if (has(tensor, 'tensor_content')) {
    const bytes = tensor.tensor_content!;
    out.varint32((15 << 3) | 2);
    out.varint32(bytes.byteLength);
    out.buf.set(bytes, out.pos);
    out.pos += bytes.byteLength;
  }
}

function outputSize(output: PaddleModelOutput, tensorSizes: number[]): number {
  let size = 0;
  for (const tensor of output.tensor ?? []) {
    const body = tensorSize(tensor);
    tensorSizes.push(body);
    size += fieldSize(body);
  }
  if (has(output, 'engine_name')) size += fieldSize(Buffer.byteLength(output.engine_name, 'utf8'));
  return size;
}

export function encodePaddleResponse(response: PaddleResponse): Buffer {
  const tensorSizes: number[] = [];
  const outputSizes: number[] = [];
  let size = 0;
  for (const output of response.outputs ?? []) {
    const body = outputSize(output, tensorSizes);
    outputSizes.push(body);
    size += fieldSize(body);
  }
  const profile = response.profile_time;
  const profileBody = nonEmpty(profile) ? packedBodySize(profile, 'int64') : 0;
  if (nonEmpty(profile)) size += fieldSize(profileBody);
  if (has(response, 'profile_server')) size += 2;
  if (has(response, 'log_id')) size += 1 + uint64Size(response.log_id!);
  if (has(response, 'err_no')) size += 1 + int32Size(response.err_no!);
  if (has(response, 'err_msg')) size += fieldSize(Buffer.byteLength(response.err_msg!, 'utf8'));

  const out = new Out(Buffer.allocUnsafe(size));
  let tensorAt = 0;
  (response.outputs ?? []).forEach((output, i) => {
    out.varint32((1 << 3) | 2);
    out.varint32(outputSizes[i]);
    for (const tensor of output.tensor ?? []) {
      out.varint32((1 << 3) | 2);
      out.varint32(tensorSizes[tensorAt++]);
      writeTensor(out, tensor);
    }
    if (has(output, 'engine_name')) {
      out.varint32((2 << 3) | 2);
      out.string(output.engine_name, Buffer.byteLength(output.engine_name, 'utf8'));
    }
  });
  if (nonEmpty(profile)) {
    out.varint32((2 << 3) | 2);
    out.varint32(profileBody);
    writePacked(out, profile, 'int64');
  }
  if (has(response, 'profile_server')) {
    out.varint32(3 << 3);
    out.buf[out.pos++] = response.profile_server ? 1 : 0;
  }
  if (has(response, 'log_id')) {
    out.varint32(4 << 3);
    const v = Number(response.log_id);
    out.varint64(v >>> 0, Math.floor(v / TWO_32) >>> 0);
  }
  if (has(response, 'err_no')) {
    out.varint32(5 << 3);
    out.int32(response.err_no!);
  }
  if (has(response, 'err_msg')) {
    out.varint32((6 << 3) | 2);
    out.string(response.err_msg!, Buffer.byteLength(response.err_msg!, 'utf8'));
  }
  if (out.pos !== size) throw new Error(`Paddle response encoder wrote ${out.pos} bytes for a computed size of ${size}`);
  return out.buf;
}

function uint64Size(value: number): number {
  const v = Number(value);
  return varint64Size(v >>> 0, Math.floor(v / TWO_32) >>> 0);
}
