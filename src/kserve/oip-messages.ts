/**
 * The Open Inference Protocol's gRPC messages (proto/kserve/grpc_service.proto, Triton's
 * published package `inference`), shared by the server adapter and the client library:
 * protobufjs types with the proto's own (snake_case) field names, and the mapping between a
 * ModelInferRequest / ModelInferResponse and the protocol-neutral request of oip-infer.ts.
 *
 * Contract:
 * - `decodeModelInferRequest` throws INVALID_ARGUMENT for bytes that are not a ModelInferRequest,
 *   for `raw_input_contents` whose count differs from the inputs', and for an input that has
 *   typed `contents` while raw contents are used. 64-bit values decode as JS numbers.
 * - Typed contents are read from the field the datatype names (INT64 int64_contents, FP32
 *   fp32_contents, INT8/INT32 int_contents, UINT8 uint_contents, BOOL bool_contents, FP64
 *   fp64_contents).
 * - `encodeModelInferResponse` answers in raw_output_contents when `raw` (the request used raw
 *   contents), else in typed contents.
 */
import { invalidArgument } from '../core/errors';
import type { DType, HostTensor } from '../core/tensor';
import { toLittleEndianBytes } from '../core/tensor';
import { protobuf } from '../protocol/protobuf-runtime';
import { KSERVE_PROTO } from '../protocol/proto-paths';
import type { OipInferRequest, OipParameterValue, OipParameters } from './oip-infer';
import { DATATYPE_OF_DTYPE, type OipInputTensor } from './oip-tensors';

const root = new protobuf.Root().loadSync(KSERVE_PROTO, { keepCase: true });

const OIP_SERVICE = 'inference.GRPCInferenceService';
export const OIP_METHODS = [
  'ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer', 'ModelConfig',
  'ModelStatistics', 'RepositoryIndex', 'RepositoryModelLoad', 'RepositoryModelUnload',
] as const;
export type OipMethod = typeof OIP_METHODS[number];
export const oipPath = (method: OipMethod) => `/${OIP_SERVICE}/${method}`;
export const MODEL_INFER_PATH = oipPath('ModelInfer');

/** Request and response types of each method. */
export const OIP_TYPES: Readonly<Record<OipMethod, { request: protobuf.Type; response: protobuf.Type }>> = Object.fromEntries(OIP_METHODS.map((method) => {
  const rpc = root.lookupService(OIP_SERVICE).methods[method];
  return [method, { request: root.lookupType(rpc.requestType), response: root.lookupType(rpc.responseType) }];
})) as Record<OipMethod, { request: protobuf.Type; response: protobuf.Type }>;

/** Encodes a plain object with the proto's field names (enum values as names or numbers). */
export function encodeOip(type: protobuf.Type, value: object): Buffer {
  const bytes = type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes to a plain object: every field present (defaults filled), enums as names, 64-bit values as numbers. */
export function decodeOip<T = Record<string, unknown>>(type: protobuf.Type, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), { defaults: true, arrays: true, objects: true, enums: String, longs: Number, oneofs: true }) as T;
}

interface ParameterMessage { parameter_choice?: string; [field: string]: unknown }
interface ContentsMessage { [field: string]: unknown[] | undefined }
interface InputMessage { name: string; datatype: string; shape: number[]; parameters?: Record<string, ParameterMessage>; contents?: ContentsMessage | null }
interface InferRequestMessage {
  model_name: string; model_version: string; id: string; parameters?: Record<string, ParameterMessage>;
  inputs: InputMessage[]; outputs: Array<{ name: string; parameters?: Record<string, ParameterMessage> }>; raw_input_contents: Uint8Array[];
}

/** The `InferTensorContents` field that carries each datatype. */
export const CONTENTS_FIELD: Readonly<Record<string, string>> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents', FP32: 'fp32_contents', FP64: 'fp64_contents', BYTES: 'bytes_contents',
};
const CONTENTS_FIELDS = [...new Set(Object.values(CONTENTS_FIELD))];

function parametersOf(map: Record<string, ParameterMessage> | undefined): OipParameters {
  if (map === undefined) return {};
  const out: Record<string, OipParameterValue> = {};
  for (const key of Object.keys(map)) {
    const p = map[key];
    const which = p.parameter_choice;
    if (which === undefined) continue;
    const value = p[which];
    out[key] = typeof value === 'boolean' || typeof value === 'string' ? value : Number(value);
  }
  return out;
}

export function decodeModelInferRequest(bytes: Uint8Array): { request: OipInferRequest; raw: boolean } {
  let message: InferRequestMessage;
  try {
    message = OIP_TYPES.ModelInfer.request.decode(bytes) as unknown as InferRequestMessage;
  } catch (error) {
    throw invalidArgument(`request body is not an inference.ModelInferRequest (${error instanceof Error ? error.message : String(error)})`);
  }
  const raw = message.raw_input_contents;
  const useRaw = raw.length > 0;
  if (useRaw && raw.length !== message.inputs.length) {
    throw invalidArgument(`raw_input_contents has ${raw.length} entries for ${message.inputs.length} inputs; expected one per input, in inputs order`);
  }
  const inputs: OipInputTensor[] = message.inputs.map((input, i) => {
    const contents = input.contents ?? undefined;
    if (useRaw) {
      if (contents !== undefined && CONTENTS_FIELDS.some((f) => (contents[f]?.length ?? 0) > 0)) {
        throw invalidArgument(`input "${input.name}" has typed contents while raw_input_contents is used; expected one or the other for every input`);
      }
      return { name: input.name, datatype: input.datatype, shape: input.shape, raw: raw[i] };
    }
    const field = CONTENTS_FIELD[input.datatype] ?? 'contents';
    return { name: input.name, datatype: input.datatype, shape: input.shape, values: contents?.[field] ?? [], valuesField: `contents.${field}` };
  });
  return {
    raw: useRaw,
    request: {
      modelName: message.model_name,
      modelVersion: message.model_version,
      id: message.id,
      parameters: parametersOf(message.parameters),
      inputs,
      outputs: message.outputs.map((o) => ({ name: o.name, parameters: parametersOf(o.parameters) })),
    },
  };
}

const TYPED_FIELD_OF_DTYPE: Readonly<Record<DType, string>> = {
  bool: 'bool_contents', uint8: 'uint_contents', int8: 'int_contents', int32: 'int_contents', int64: 'int64_contents', float16: '', float32: 'fp32_contents', float64: 'fp64_contents',
};

export interface OipOutput { readonly name: string; readonly tensor: HostTensor }

function typedContents(tensor: HostTensor): Record<string, unknown[]> {
  const field = TYPED_FIELD_OF_DTYPE[tensor.dtype];
  if (field === '') throw invalidArgument('FP16 outputs can only be returned as raw_output_contents; send the inputs as raw_input_contents');
  const data = tensor.data as ArrayLike<number | bigint>;
  const values = tensor.dtype === 'bool' ? Array.from(data, (v) => v !== 0) : Array.from(data, Number);
  return { [field]: values };
}

export function encodeModelInferResponse(response: { modelName: string; modelVersion: string; id: string; outputs: readonly OipOutput[] }, raw: boolean): Buffer {
  const outputs = response.outputs.map(({ name, tensor }) => ({
    name,
    datatype: DATATYPE_OF_DTYPE[tensor.dtype],
    shape: [...tensor.dims],
    ...(raw ? {} : { contents: typedContents(tensor) }),
  }));
  const message = {
    model_name: response.modelName,
    model_version: response.modelVersion,
    id: response.id,
    outputs,
    ...(raw ? { raw_output_contents: response.outputs.map(({ tensor }) => toLittleEndianBytes(tensor.data)) } : {}),
  };
  const bytes = OIP_TYPES.ModelInfer.response.encode(message as unknown as protobuf.Message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
