/**
 * Writes Paddle's `general_model.Request` (proto/paddle/general_model_service.proto) straight from
 * host tensors into one exactly sized Buffer: what rec-client's Paddle modes (gRPC, HTTP proto
 * body, baidu_std) send on every call. No message objects, no array of JS numbers per int64
 * tensor (ids are read as two 32-bit words, never as BigInts), no encoder writer per field.
 *
 * Contract: for a feed whose int64 values lie within ±(2^53 − 1), the same bytes as protobufjs's
 * reflection encoder writes for `buildPaddleRequest(feed, fetch, logId, signature)`
 * (client/paddle-wire-codec.ts): per input, in the feed's key order, its typed field (int64 →
 * int64_data, float32 → float_data, int32 → int_data, float64 → float64_data, bool → bool_data,
 * float16 / uint8 / int8 → tensor_content), elem_type, shape, the real name (from the signature,
 * else the alias) and the alias; fields in number order, proto3 defaults (0, empty) left out. Int64
 * values beyond 2^53 are written exactly (the message path rounds them through a JS number).
 */
import type { HostTensor } from '../../core/tensor';
import type { ModelSignature } from '../../core/model-signature';
import { paddleCodeOfDType } from '../../model/paddle-config';
import { WireWriter, fieldSize, int32sSize, uint64Size, utf8Length, varint32Size, varint64Size } from '../../protocol/wire-writer';

/** int64 values of `data` as two's complement halves: (words[2i], words[2i+1]) = (lo, hi). */
function int64Words(data: BigInt64Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length * 2);
}

function int64sBody(words: Int32Array): number {
  let size = 0;
  for (let i = 0; i < words.length; i += 2) size += varint64Size(words[i] >>> 0, words[i + 1] >>> 0);
  return size;
}

/** Body size of the typed field that carries `tensor`'s values (0 when it has none). */
function valuesBody(tensor: HostTensor, words: Int32Array | undefined): number {
  const data = tensor.data;
  switch (tensor.dtype) {
    case 'int64': return int64sBody(words!);
    case 'int32': return int32sSize(data as Int32Array);
    case 'bool': return data.length;
    default: return data.byteLength;
  }
}

const VALUE_FIELD: Readonly<Record<HostTensor['dtype'], number>> = {
  int64: 1, float32: 2, int32: 3, float64: 4, bool: 6, float16: 15, uint8: 15, int8: 15,
};

const optional = (body: number) => (body === 0 ? 0 : fieldSize(body));

/** Real input name by alias, built once per signature. */
const REAL_NAMES = new WeakMap<ModelSignature, ReadonlyMap<string, string>>();
function realNames(signature: ModelSignature | undefined): ReadonlyMap<string, string> | undefined {
  if (signature === undefined) return undefined;
  let names = REAL_NAMES.get(signature);
  if (names === undefined) {
    names = new Map(signature.inputs.map((spec) => [spec.alias, spec.name]));
    REAL_NAMES.set(signature, names);
  }
  return names;
}

export function writePaddleRequest(
  feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], logId: number, signature?: ModelSignature,
): Buffer {
  const aliases = Object.keys(feed);
  const n = aliases.length;
  const names = new Array<string>(n);
  const words = new Array<Int32Array | undefined>(n);
  // Per input: the values field's body, the shape body and the tensor's body.
  const sizes = new Array<number>(3 * n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const alias = aliases[i];
    const tensor = feed[alias];
    names[i] = realNames(signature)?.get(alias) ?? alias;
    words[i] = tensor.dtype === 'int64' ? int64Words(tensor.data as BigInt64Array) : undefined;
    const values = valuesBody(tensor, words[i]);
    const shape = int32sSize(tensor.dims);
    const code = paddleCodeOfDType(tensor.dtype);
    const body = optional(values) + (code === 0 ? 0 : 1 + varint32Size(code)) + optional(shape)
      + optional(utf8Length(names[i])) + optional(utf8Length(alias));
    sizes[3 * i] = values;
    sizes[3 * i + 1] = shape;
    sizes[3 * i + 2] = body;
    size += fieldSize(body);
  }
  for (const name of fetch) size += fieldSize(utf8Length(name));
  if (logId !== 0) size += 1 + uint64Size(logId);

  const w = new WireWriter(Buffer.allocUnsafe(size));
  for (let i = 0; i < n; i++) {
    const tensor = feed[aliases[i]];
    w.buf[w.pos++] = (1 << 3) | 2;
    w.varint32(sizes[3 * i + 2]);
    // Fields in number order: the values field (1..6) first, tensor_content (15) last.
    const contentLast = VALUE_FIELD[tensor.dtype] === 15;
    if (!contentLast) writeValues(w, tensor, words[i], sizes[3 * i]);
    const code = paddleCodeOfDType(tensor.dtype);
    if (code !== 0) {
      w.buf[w.pos++] = 10 << 3;
      w.varint32(code);
    }
    if (sizes[3 * i + 1] > 0) w.int32s(11, tensor.dims);
    if (names[i] !== '') w.string(13, names[i]);
    if (aliases[i] !== '') w.string(14, aliases[i]);
    if (contentLast) writeValues(w, tensor, words[i], sizes[3 * i]);
  }
  for (const name of fetch) w.string(2, name);
  if (logId !== 0) {
    w.buf[w.pos++] = 4 << 3;
    w.uint64(logId);
  }
  if (w.pos !== size) throw new Error(`Paddle request writer wrote ${w.pos} bytes for a computed size of ${size}`);
  return w.buf;
}

function writeValues(w: WireWriter, tensor: HostTensor, words: Int32Array | undefined, body: number): void {
  if (body === 0) return;
  const data = tensor.data;
  const field = VALUE_FIELD[tensor.dtype];
  switch (tensor.dtype) {
    case 'int64': {
      w.buf[w.pos++] = (field << 3) | 2;
      w.varint32(body);
      for (let i = 0; i < words!.length; i += 2) w.varint64(words![i] >>> 0, words![i + 1] >>> 0);
      return;
    }
    case 'float32': w.floats(field, data as Float32Array); return;
    case 'int32': w.int32s(field, data as Int32Array); return;
    case 'float64': w.doubles(field, data as Float64Array); return;
    case 'bool': w.bools(field, data as Uint8Array); return;
    default: w.bytes(field, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}
