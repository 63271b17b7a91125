/**
 * Writes a rec_serving.v1.PredictRequest (proto/rec_serving/v1/predict.proto) straight from host
 * tensors into one exactly sized Buffer: no message objects, no per-tensor views or shape copies,
 * no encoder writer, no final copy. This is what the client sends on every Predict call, so its
 * allocation is the client's per-call garbage.
 *
 * Contract: `writePredictRequest(feed, fetch, options)` returns the bytes protobufjs's reflection
 * encoder (predict-messages.ts `encodePredictRequest`) writes for
 * `{ modelName, modelVersion, inputs: [{ name, dtype, shape, rawData }], outputNames, requestId }`:
 * fields in number order, a singular field only when it is not its proto3 default (empty string
 * or bytes, 0), shape packed and only when not empty, inputs in the feed's key order. Dims and the request id must be non-negative safe integers (a RangeError otherwise).
 * raw_data is the tensor's memory as it is (little-endian on every platform Node runs on here).
 */
import type { HostTensor } from '../core/tensor';
import { DTYPE_TO_WIRE } from './predict-messages';

export interface PredictRequestFields {
  readonly modelName?: string;
  readonly modelVersion?: string;
  readonly requestId?: number;
}

const TAG_MODEL_NAME = (1 << 3) | 2;
const TAG_MODEL_VERSION = (2 << 3) | 2;
const TAG_INPUT = (3 << 3) | 2;
const TAG_OUTPUT_NAME = (4 << 3) | 2;
const TAG_REQUEST_ID = 5 << 3;
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

export function writePredictRequest(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], fields: PredictRequestFields = {}): Buffer {
  const modelName = fields.modelName ?? '';
  const modelVersion = fields.modelVersion ?? '';
  const requestId = checkedUnsigned(fields.requestId ?? 0, 'the request id');
  const modelNameBytes = utf8Length(modelName);
  const modelVersionBytes = utf8Length(modelVersion);
  let size = optionalField(modelNameBytes) + optionalField(modelVersionBytes) + (requestId === 0 ? 0 : 1 + varintSize(requestId));
  const names = Object.keys(feed);
  // Per input: name bytes, shape body, tensor body (kept to write without computing them twice).
  const sizes = new Array<number>(names.length * 3);
  for (let i = 0; i < names.length; i++) {
    const tensor = feed[names[i]];
    const nameBytes = utf8Length(names[i]);
    const shape = shapeBody(tensor.dims);
    const body = optionalField(nameBytes) + 1 + varintSize(DTYPE_TO_WIRE[tensor.dtype]) + optionalField(shape) + optionalField(tensor.data.byteLength);
    sizes[3 * i] = nameBytes;
    sizes[3 * i + 1] = shape;
    sizes[3 * i + 2] = body;
    size += lengthDelimited(body);
  }
  // Repeated strings are written even when empty.
  for (let i = 0; i < fetch.length; i++) size += lengthDelimited(utf8Length(fetch[i]));

  const out = new Out(Buffer.allocUnsafe(size));
  if (modelNameBytes > 0) out.string(TAG_MODEL_NAME, modelName, modelNameBytes);
  if (modelVersionBytes > 0) out.string(TAG_MODEL_VERSION, modelVersion, modelVersionBytes);
  for (let i = 0; i < names.length; i++) {
    const tensor = feed[names[i]];
    out.buf[out.pos++] = TAG_INPUT;
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
  for (let i = 0; i < fetch.length; i++) out.string(TAG_OUTPUT_NAME, fetch[i], utf8Length(fetch[i]));
  if (requestId !== 0) {
    out.buf[out.pos++] = TAG_REQUEST_ID;
    out.varint(requestId);
  }
  if (out.pos !== size) throw new Error(`PredictRequest writer wrote ${out.pos} bytes for a computed size of ${size}`);
  return out.buf;
}
