/**
 * Writes rec-serving's PredictRequest (what the client sends on every Predict call) and
 * PredictResponse (what the server answers) of proto/rec_serving/v1/predict.proto straight from
 * host tensors into one Buffer: no message objects, no encoder writer, no concatenation. Each
 * writer keeps the bytes around the tensors' data for the last tensor layout it wrote (names,
 * dtypes, dims, byte lengths) and reuses them while calls keep that layout (`TensorsLayout`).
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
import { sameDims, type DType, type HostTensor } from '../core/tensor';
import { DTYPE_TO_WIRE } from './predict-messages';
import { WireWriter, fieldSize, int64Size, uint64Size, utf8Length, varint32Size } from './wire-writer';

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

/** Field numbers of PredictRequest, PredictResponse, Tensor and ServerTiming. */
const REQUEST = { modelName: 1, modelVersion: 2, inputs: 3, outputNames: 4, requestId: 5 } as const;
const RESPONSE = { modelName: 1, modelVersion: 2, outputs: 3, requestId: 4, timing: 5 } as const;
const TENSOR = { name: 1, dtype: 2, shape: 3, rawData: 4 } as const;
/** Most bytes a ServerTiming field takes: tag, length, five int64 fields of up to 11 bytes. */
const MAX_TIMING_BYTES = 2 + 5 * 11;

function checkedUnsigned(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer; got ${value}`);
  return value;
}

function checkedSafe(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer; got ${value}`);
  return value;
}

/** A singular field of `body` bytes: absent when empty (its proto3 default). */
const optionalField = (body: number) => (body === 0 ? 0 : fieldSize(body));
/** A singular varint field: absent when 0. */
const optionalVarint = (value: number) => (value === 0 ? 0 : 1 + uint64Size(value));

function shapeBody(dims: readonly number[]): number {
  let size = 0;
  for (let i = 0; i < dims.length; i++) size += uint64Size(checkedUnsigned(dims[i], 'a tensor dimension'));
  return size;
}

/**
 * Every byte of a list of repeated Tensor fields except the tensors' data, for one layout: the
 * tensors' names, dtypes, dims and byte lengths, in order. A client sends the same layout on every
 * call (a ranking client: the same 27 tensors of the same batch size), so each writer keeps the
 * last layout it wrote and, while calls match it, copies those bytes instead of sizing and
 * writing names, dtypes and shapes again.
 */
class TensorsLayout {
  private constructor(
    private readonly names: readonly string[],
    private readonly dtypes: readonly DType[],
    private readonly dims: ReadonlyArray<readonly number[]>,
    private readonly byteLengths: readonly number[],
    /** Per tensor, its field's bytes up to its data: tag, length, name, dtype, shape, raw_data tag and length. */
    private readonly heads: Uint8Array,
    /** Where each tensor's head ends in `heads`. */
    private readonly headEnds: readonly number[],
    /** Bytes of all the fields, data included. */
    readonly size: number,
  ) {}

  static of(field: number, names: readonly string[], tensors: readonly HostTensor[]): TensorsLayout {
    const shapes = new Array<number>(names.length);
    const bodies = new Array<number>(names.length);
    let size = 0;
    let headsSize = 0;
    for (let i = 0; i < names.length; i++) {
      const tensor = tensors[i];
      shapes[i] = shapeBody(tensor.dims);
      bodies[i] = optionalField(utf8Length(names[i])) + 1 + varint32Size(DTYPE_TO_WIRE[tensor.dtype]) + optionalField(shapes[i]) + optionalField(tensor.data.byteLength);
      size += fieldSize(bodies[i]);
      headsSize += fieldSize(bodies[i]) - tensor.data.byteLength;
    }
    const w = new WireWriter(Buffer.allocUnsafe(headsSize));
    const headEnds = new Array<number>(names.length);
    for (let i = 0; i < names.length; i++) {
      const tensor = tensors[i];
      w.buf[w.pos++] = (field << 3) | 2;
      w.varint32(bodies[i]);
      if (names[i] !== '') w.string(TENSOR.name, names[i]);
      w.buf[w.pos++] = TENSOR.dtype << 3;
      w.varint32(DTYPE_TO_WIRE[tensor.dtype]);
      if (shapes[i] > 0) {
        w.buf[w.pos++] = (TENSOR.shape << 3) | 2;
        w.varint32(shapes[i]);
        for (let d = 0; d < tensor.dims.length; d++) w.uint64(tensor.dims[d]);
      }
      if (tensor.data.byteLength > 0) {
        w.buf[w.pos++] = (TENSOR.rawData << 3) | 2;
        w.varint32(tensor.data.byteLength);
      }
      headEnds[i] = w.pos;
    }
    return new TensorsLayout([...names], tensors.map((t) => t.dtype), tensors.map((t) => [...t.dims]), tensors.map((t) => t.data.byteLength), w.buf, headEnds, size);
  }

  /** The tensors have this layout: same names, dtypes, dims and byte lengths, in the same order. */
  matches(names: readonly string[], tensors: readonly HostTensor[]): boolean {
    if (names.length !== this.names.length) return false;
    for (let i = 0; i < names.length; i++) {
      const tensor = tensors[i];
      if (names[i] !== this.names[i] || tensor.dtype !== this.dtypes[i] || tensor.data.byteLength !== this.byteLengths[i]) return false;
      if (!sameDims(tensor.dims, this.dims[i])) return false;
    }
    return true;
  }

  /** Writes the fields: each tensor's head, then its data. */
  write(w: WireWriter, tensors: readonly HostTensor[]): void {
    const heads = this.heads;
    const buf = w.buf;
    let from = 0;
    for (let i = 0; i < tensors.length; i++) {
      const end = this.headEnds[i];
      let pos = w.pos;
      while (from < end) buf[pos++] = heads[from++];
      w.pos = pos;
      if (tensors[i].data.byteLength > 0) w.memory(tensors[i].data);
    }
  }
}

/** The last layout one message kind was written with (one slot per kind and field). */
interface LayoutSlot {
  layout: TensorsLayout | undefined;
}

function layoutFor(slot: LayoutSlot, field: number, names: readonly string[], tensors: readonly HostTensor[]): TensorsLayout {
  const last = slot.layout;
  if (last !== undefined && last.matches(names, tensors)) return last;
  // Dims are checked while the layout is made, so one that matched had valid dims.
  const layout = TensorsLayout.of(field, names, tensors);
  slot.layout = layout;
  return layout;
}

const requestInputs: LayoutSlot = { layout: undefined };
const responseOutputs: LayoutSlot = { layout: undefined };

function writeVarintField(w: WireWriter, field: number, value: number): void {
  if (value === 0) return;
  w.buf[w.pos++] = field << 3;
  w.uint64(value);
}

export function writePredictRequest(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[] = [], fields: PredictRequestFields = {}): Buffer {
  const modelName = fields.modelName ?? '';
  const modelVersion = fields.modelVersion ?? '';
  const requestId = checkedUnsigned(fields.requestId ?? 0, 'the request id');
  const names = Object.keys(feed);
  const tensors = names.map((name) => feed[name]);
  const inputs = layoutFor(requestInputs, REQUEST.inputs, names, tensors);
  let size = optionalField(utf8Length(modelName)) + optionalField(utf8Length(modelVersion)) + optionalVarint(requestId) + inputs.size;
  // Repeated strings are written even when empty.
  for (let i = 0; i < fetch.length; i++) size += fieldSize(utf8Length(fetch[i]));

  const w = new WireWriter(Buffer.allocUnsafe(size));
  if (modelName !== '') w.string(REQUEST.modelName, modelName);
  if (modelVersion !== '') w.string(REQUEST.modelVersion, modelVersion);
  inputs.write(w, tensors);
  for (let i = 0; i < fetch.length; i++) w.string(REQUEST.outputNames, fetch[i]);
  writeVarintField(w, REQUEST.requestId, requestId);
  if (w.pos !== size) throw new Error(`PredictRequest writer wrote ${w.pos} bytes for a computed size of ${size}`);
  return w.buf;
}

export function writePredictResponse(fields: PredictResponseFields, timing: () => ServerTimingFields): Buffer {
  const requestId = checkedUnsigned(fields.requestId, 'the request id');
  const names = fields.outputs.map((o) => o.name);
  const tensors = fields.outputs.map((o) => o.tensor);
  const outputs = layoutFor(responseOutputs, RESPONSE.outputs, names, tensors);
  const size = optionalField(utf8Length(fields.modelName)) + optionalField(utf8Length(fields.modelVersion)) + outputs.size + optionalVarint(requestId);

  const w = new WireWriter(Buffer.allocUnsafe(size + MAX_TIMING_BYTES));
  if (fields.modelName !== '') w.string(RESPONSE.modelName, fields.modelName);
  if (fields.modelVersion !== '') w.string(RESPONSE.modelVersion, fields.modelVersion);
  outputs.write(w, tensors);
  writeVarintField(w, RESPONSE.requestId, requestId);
  if (w.pos !== size) throw new Error(`PredictResponse writer wrote ${w.pos} bytes for a computed size of ${size}`);
  const t = timing();
  const values = [t.startUs, t.endUs, t.queueUs, t.computeUs, t.executedBatchRows];
  let body = 0;
  for (let f = 0; f < values.length; f++) if (checkedSafe(values[f], 'a ServerTiming value') !== 0) body += 1 + int64Size(values[f]);
  // protobufjs writes a present sub-message even when all its fields are defaults.
  w.buf[w.pos++] = (RESPONSE.timing << 3) | 2;
  w.varint32(body);
  for (let f = 0; f < values.length; f++) {
    if (values[f] === 0) continue;
    w.buf[w.pos++] = (f + 1) << 3;
    w.int64(values[f]);
  }
  return w.buf.subarray(0, w.pos);
}
