/**
 * Writes rec-serving's PredictRequest (what the client sends on every Predict call) and
 * PredictResponse (what the server answers) of proto/rec_serving/v1/predict.proto straight from
 * host tensors into one Buffer: no message objects, no per-tensor views or shape copies, no
 * encoder writer, no concatenation.
 *
 * Contract: the bytes protobufjs's reflection encoder (predict-messages.ts) writes for the same
 * message: fields in number order, a singular field only when it is not its proto3 default (empty
 * string or bytes, 0), shape packed and only when not empty, tensors in the given order, raw_data
 * the tensor's memory as it is (little-endian on every platform Node runs on here).
 * - `writePredictRequest(feed, fetch, options)`: `{ modelName, modelVersion, inputs, outputNames,
 *   requestId }`, inputs in the feed's key order.
 * - `writePredictResponse(fields, timing)`: `{ modelName, modelVersion, outputs, requestId }`, then
 *   `timing()` is called and its ServerTiming written last, so the timing can cover the encoding of
 *   everything before it (the result is a view of a buffer up to 57 bytes longer).
 * Dims and ids must be non-negative safe integers (a RangeError otherwise); timing values are
 * any safe integers.
 */
import type { HostTensor } from '../core/tensor';
import { DTYPE_TO_WIRE } from './predict-messages';

export interface PredictRequestFields {
  readonly modelName?: string;
  readonly modelVersion?: string;
  readonly requestId?: number;
}

/** An output tensor under the name it is answered by (its fetch alias). */
export interface NamedOutput {
  readonly name: string;
  readonly tensor: HostTensor;
}

export interface PredictResponseFields {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly outputs: readonly NamedOutput[];
  readonly requestId: number;
}

/** rec_serving.v1.ServerTiming, microseconds. */
export interface ServerTimingFields {
  readonly startUs: number;
  readonly endUs: number;
  readonly queueUs: number;
  readonly computeUs: number;
  readonly executedBatchRows: number;
}

const TAG_MODEL_NAME = (1 << 3) | 2;
const TAG_MODEL_VERSION = (2 << 3) | 2;
const TAG_INPUT = (3 << 3) | 2;
const TAG_OUTPUT_NAME = (4 << 3) | 2;
const TAG_REQUEST_ID = 5 << 3;
const TAG_RESPONSE_OUTPUT = (3 << 3) | 2;
const TAG_RESPONSE_REQUEST_ID = 4 << 3;
const TAG_RESPONSE_TIMING = (5 << 3) | 2;
/** Most bytes a ServerTiming field takes: tag, length, five int64 fields of up to 11 bytes. */
const MAX_TIMING_BYTES = 2 + 5 * 11;
const TAG_TENSOR_NAME = (1 << 3) | 2;
const TAG_TENSOR_DTYPE = 2 << 3;
const TAG_TENSOR_SHAPE = (3 << 3) | 2;
const TAG_TENSOR_RAW = (4 << 3) | 2;

function checkedUnsigned(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer; got ${value}`);
  return value;
}

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 5;
  for (let v = Math.floor(value / 0x800000000); v > 0; v = Math.floor(v / 128)) size++;
  return size;
}

const lengthDelimited = (body: number) => 1 + varintSize(body) + body;
/** A singular length-delimited field: absent when empty (its proto3 default). */
const optionalField = (body: number) => (body === 0 ? 0 : lengthDelimited(body));

/** Tensors up to this size are copied in a loop; larger ones through a view and `set`. */
const SMALL_COPY_BYTES = 512;

class Out {
  pos = 0;
  private viewedBuffer: ArrayBufferLike | undefined;
  private view: Uint8Array | undefined;
  constructor(readonly buf: Buffer) {}

  varint(value: number): void {
    const buf = this.buf;
    while (value >= 0x80000000) {
      buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    while (value >= 0x80) {
      buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[this.pos++] = value;
  }

  /** A signed 64-bit integer (a safe integer) as protobuf's int64 varint: negatives take 10 bytes. */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** Copies a typed array's bytes; small ones byte by byte through one cached view of their buffer (no view per tensor). */
  bytes(data: HostTensor['data']): void {
    const length = data.byteLength;
    if (length > SMALL_COPY_BYTES) {
      this.buf.set(new Uint8Array(data.buffer, data.byteOffset, length), this.pos);
    } else {
      if (data.buffer !== this.viewedBuffer) {
        this.viewedBuffer = data.buffer;
        this.view = new Uint8Array(data.buffer);
      }
      const view = this.view!;
      const buf = this.buf;
      for (let i = 0, from = data.byteOffset, to = this.pos; i < length; i++) buf[to + i] = view[from + i];
    }
    this.pos += length;
  }

  string(tag: number, text: string, bytes: number): void {
    const buf = this.buf;
    buf[this.pos++] = tag;
    this.varint(bytes);
    if (bytes === text.length) {
      for (let i = 0; i < bytes; i++) buf[this.pos + i] = text.charCodeAt(i);
      this.pos += bytes;
    } else {
      this.pos += buf.write(text, this.pos, 'utf8');
    }
  }
}

/** UTF-8 length; short ASCII strings (names) are measured here rather than by a call into C++. */
function utf8Length(text: string): number {
  if (text.length > 64) return Buffer.byteLength(text, 'utf8');
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return text.length;
}

function shapeBody(dims: readonly number[]): number {
  let size = 0;
  for (let i = 0; i < dims.length; i++) size += varintSize(checkedUnsigned(dims[i], 'a tensor dimension'));
  return size;
}

/** Sizes of a list of tensors as repeated Tensor fields: per tensor [name bytes, shape body, tensor body] into `sizes`; returns the fields' total. */
function tensorsSize(names: readonly string[], tensors: readonly HostTensor[], sizes: number[]): number {
  let size = 0;
  for (let i = 0; i < names.length; i++) {
    const tensor = tensors[i];
    const nameBytes = utf8Length(names[i]);
    const shape = shapeBody(tensor.dims);
    const body = optionalField(nameBytes) + 1 + varintSize(DTYPE_TO_WIRE[tensor.dtype]) + optionalField(shape) + optionalField(tensor.data.byteLength);
    sizes[3 * i] = nameBytes;
    sizes[3 * i + 1] = shape;
    sizes[3 * i + 2] = body;
    size += lengthDelimited(body);
  }
  return size;
}

function writeTensors(out: Out, tag: number, names: readonly string[], tensors: readonly HostTensor[], sizes: readonly number[]): void {
  for (let i = 0; i < names.length; i++) {
    const tensor = tensors[i];
    out.buf[out.pos++] = tag;
    out.varint(sizes[3 * i + 2]);
    if (sizes[3 * i] > 0) out.string(TAG_TENSOR_NAME, names[i], sizes[3 * i]);
    out.buf[out.pos++] = TAG_TENSOR_DTYPE;
    out.varint(DTYPE_TO_WIRE[tensor.dtype]);
    const shape = sizes[3 * i + 1];
    if (shape > 0) {
      out.buf[out.pos++] = TAG_TENSOR_SHAPE;
      out.varint(shape);
      for (let d = 0; d < tensor.dims.length; d++) out.varint(tensor.dims[d]);
    }
    const data = tensor.data;
    if (data.byteLength > 0) {
      out.buf[out.pos++] = TAG_TENSOR_RAW;
      out.varint(data.byteLength);
      out.bytes(data);
    }
  }
}

export function writePredictRequest(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], fields: PredictRequestFields = {}): Buffer {
  const modelName = fields.modelName ?? '';
  const modelVersion = fields.modelVersion ?? '';
  const requestId = checkedUnsigned(fields.requestId ?? 0, 'the request id');
  const modelNameBytes = utf8Length(modelName);
  const modelVersionBytes = utf8Length(modelVersion);
  const names = Object.keys(feed);
  const tensors = names.map((name) => feed[name]);
  const sizes = new Array<number>(names.length * 3);
  let size = optionalField(modelNameBytes) + optionalField(modelVersionBytes) + (requestId === 0 ? 0 : 1 + varintSize(requestId))
    + tensorsSize(names, tensors, sizes);
  // Repeated strings are written even when empty.
  for (let i = 0; i < fetch.length; i++) size += lengthDelimited(utf8Length(fetch[i]));

  const out = new Out(Buffer.allocUnsafe(size));
  if (modelNameBytes > 0) out.string(TAG_MODEL_NAME, modelName, modelNameBytes);
  if (modelVersionBytes > 0) out.string(TAG_MODEL_VERSION, modelVersion, modelVersionBytes);
  writeTensors(out, TAG_INPUT, names, tensors, sizes);
  for (let i = 0; i < fetch.length; i++) out.string(TAG_OUTPUT_NAME, fetch[i], utf8Length(fetch[i]));
  if (requestId !== 0) {
    out.buf[out.pos++] = TAG_REQUEST_ID;
    out.varint(requestId);
  }
  if (out.pos !== size) throw new Error(`PredictRequest writer wrote ${out.pos} bytes for a computed size of ${size}`);
  return out.buf;
}

function int64Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function checkedSafe(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer; got ${value}`);
  return value;
}

export function writePredictResponse(fields: PredictResponseFields, timing: () => ServerTimingFields): Buffer {
  const requestId = checkedUnsigned(fields.requestId, 'the request id');
  const modelNameBytes = utf8Length(fields.modelName);
  const modelVersionBytes = utf8Length(fields.modelVersion);
  const names = fields.outputs.map((o) => o.name);
  const tensors = fields.outputs.map((o) => o.tensor);
  const sizes = new Array<number>(names.length * 3);
  const size = optionalField(modelNameBytes) + optionalField(modelVersionBytes) + tensorsSize(names, tensors, sizes)
    + (requestId === 0 ? 0 : 1 + varintSize(requestId));

  const out = new Out(Buffer.allocUnsafe(size + MAX_TIMING_BYTES));
  if (modelNameBytes > 0) out.string(TAG_MODEL_NAME, fields.modelName, modelNameBytes);
  if (modelVersionBytes > 0) out.string(TAG_MODEL_VERSION, fields.modelVersion, modelVersionBytes);
  writeTensors(out, TAG_RESPONSE_OUTPUT, names, tensors, sizes);
  if (requestId !== 0) {
    out.buf[out.pos++] = TAG_RESPONSE_REQUEST_ID;
    out.varint(requestId);
  }
  if (out.pos !== size) throw new Error(`PredictResponse writer wrote ${out.pos} bytes for a computed size of ${size}`);
  const t = timing();
  const values = [t.startUs, t.endUs, t.queueUs, t.computeUs, t.executedBatchRows];
  let body = 0;
  for (let f = 0; f < values.length; f++) if (checkedSafe(values[f], 'a ServerTiming value') !== 0) body += 1 + int64Size(values[f]);
  // protobufjs writes a present sub-message even when all its fields are defaults.
  out.buf[out.pos++] = TAG_RESPONSE_TIMING;
  out.varint(body);
  for (let f = 0; f < values.length; f++) {
    if (values[f] === 0) continue;
    out.buf[out.pos++] = (f + 1) << 3;
    out.int64(values[f]);
  }
  return out.buf.subarray(0, out.pos);
}
