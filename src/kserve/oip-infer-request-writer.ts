/**
 * `inference.ModelInferRequest` (proto/kserve/grpc_service.proto) written straight from a feed,
 * for the Open Inference Protocol gRPC client: one sized Buffer, no message objects. Encoding
 * the same request through protobufjs's reflection encoder built an object per input and cost
 * the client ~10 µs more per batch-5 Criteo call than rec-serving's own Predict writer, with
 * the garbage to match (a CPU profile of rec-client at 16 calls in flight).
 *
 * Contract: `writeModelInferRequest(fields)` returns exactly the bytes protobufjs writes for
 * `{ model_name, model_version, id, inputs: [{ name, datatype, shape }], outputs: [{ name }],
 * raw_input_contents }`, with the inputs in the feed's key order, their datatypes from
 * DATATYPE_OF_DTYPE, their dims as the shape and their memory (little-endian) as the raw
 * contents. Empty strings and empty shapes are left out, as protobufjs leaves proto3 defaults
 * out. It writes no request parameters: callers with parameters encode through protobufjs.
 */
import type { HostTensor } from '../core/tensor';
import { WireWriter, fieldSize, int64sSize, utf8Length } from '../protocol/wire-writer';
import { DATATYPE_OF_DTYPE } from './oip-tensors';

export interface ModelInferRequestFields {
  readonly modelName: string;
  readonly modelVersion?: string;
  readonly id?: string;
  readonly inputs: Readonly<Record<string, HostTensor>>;
  readonly outputs?: readonly string[];
}

const MODEL_NAME = 1;
const MODEL_VERSION = 2;
const ID = 3;
const INPUTS = 5;
const OUTPUTS = 6;
const RAW_INPUT_CONTENTS = 7;
const TENSOR_NAME = 1;
const TENSOR_DATATYPE = 2;
const TENSOR_SHAPE = 3;

const stringSize = (value: string): number => (value === '' ? 0 : fieldSize(utf8Length(value)));

export function writeModelInferRequest(fields: ModelInferRequestFields): Buffer {
  const { inputs } = fields;
  const names = Object.keys(inputs);
  const outputs = fields.outputs ?? [];
  const modelVersion = fields.modelVersion ?? '';
  const id = fields.id ?? '';
  const inputBodies = new Array<number>(names.length);
  let size = stringSize(fields.modelName) + stringSize(modelVersion) + stringSize(id);
  for (let i = 0; i < names.length; i++) {
    const tensor = inputs[names[i]];
    const dims = tensor.dims;
    inputBodies[i] = stringSize(names[i]) + stringSize(DATATYPE_OF_DTYPE[tensor.dtype]) + (dims.length === 0 ? 0 : fieldSize(int64sSize(dims)));
    size += fieldSize(inputBodies[i]) + fieldSize(tensor.data.byteLength);
  }
  for (const output of outputs) size += fieldSize(stringSize(output));

  const writer = new WireWriter(Buffer.allocUnsafe(size));
  if (fields.modelName !== '') writer.string(MODEL_NAME, fields.modelName);
  if (modelVersion !== '') writer.string(MODEL_VERSION, modelVersion);
  if (id !== '') writer.string(ID, id);
  for (let i = 0; i < names.length; i++) {
    const tensor = inputs[names[i]];
    writer.buf[writer.pos++] = (INPUTS << 3) | 2;
    writer.varint32(inputBodies[i]);
    if (names[i] !== '') writer.string(TENSOR_NAME, names[i]);
    writer.string(TENSOR_DATATYPE, DATATYPE_OF_DTYPE[tensor.dtype]);
    if (tensor.dims.length > 0) writer.int64s(TENSOR_SHAPE, tensor.dims);
  }
  for (const output of outputs) {
    writer.buf[writer.pos++] = (OUTPUTS << 3) | 2;
    writer.varint32(stringSize(output));
    if (output !== '') writer.string(TENSOR_NAME, output);
  }
  for (let i = 0; i < names.length; i++) {
    const { data } = inputs[names[i]];
    writer.buf[writer.pos++] = (RAW_INPUT_CONTENTS << 3) | 2;
    writer.varint32(data.byteLength);
    writer.memory(data);
  }
  if (writer.pos !== size) throw new Error(`ModelInferRequest writer: wrote ${writer.pos} of ${size} bytes`);
  return writer.buf;
}
