/**
 * Encoding and decoding of rec-serving's Predict API (proto/rec_serving/v1/predict.proto), shared
 * by the gRPC server adapter and the client library.
 *
 * Contract: protobufjs reflection types (code-generated encoders at load time, no per-call
 * schema work); tensors map to and from `{ name, dtype, shape, raw_data }` with dtype names
 * from src/core/tensor.ts. `int64` fields decode as JS numbers (safe below 2^53).
 */
import { protobuf } from './protobuf-runtime';
import type { DType } from '../core/tensor';
import { PREDICT_PROTO } from './proto-paths';

const root = protobuf.loadSync(PREDICT_PROTO);

const PredictRequestType = root.lookupType('rec_serving.v1.PredictRequest');
const PredictResponseType = root.lookupType('rec_serving.v1.PredictResponse');
export const GetModelMetadataRequestType = root.lookupType('rec_serving.v1.GetModelMetadataRequest');
export const GetModelMetadataResponseType = root.lookupType('rec_serving.v1.GetModelMetadataResponse');

const PREDICTION_SERVICE = 'rec_serving.v1.PredictionService';
export const PREDICT_PATH = `/${PREDICTION_SERVICE}/Predict`;
export const GET_MODEL_METADATA_PATH = `/${PREDICTION_SERVICE}/GetModelMetadata`;

/** Wire enum value of each dtype (proto DataType). */
export const DTYPE_TO_WIRE: Readonly<Record<DType, number>> = {
  int64: 1, float32: 2, int32: 3, float64: 4, float16: 5, uint8: 6, int8: 7, bool: 8,
};

const WIRE_TO_DTYPE: ReadonlyMap<number, DType> = new Map(
  (Object.entries(DTYPE_TO_WIRE) as Array<[DType, number]>).map(([dtype, wire]) => [wire, dtype]),
);

export function dtypeFromWire(wire: number): DType | undefined {
  return WIRE_TO_DTYPE.get(wire);
}

export interface TensorMessage {
  name: string;
  dtype: number;
  shape: number[];
  rawData: Uint8Array;
}

export interface ServerTimingMessage {
  startUs: number;
  endUs: number;
  queueUs: number;
  computeUs: number;
  executedBatchRows: number;
}

export interface PredictRequestMessage {
  modelName: string;
  modelVersion: string;
  inputs: TensorMessage[];
  outputNames: string[];
  requestId: number;
}

export interface PredictResponseMessage {
  modelName: string;
  modelVersion: string;
  outputs: TensorMessage[];
  requestId: number;
  timing?: ServerTimingMessage;
}

export interface TensorMetadataMessage {
  name: string;
  alias: string;
  dtype: number;
  shape: number[];
  hasIdRange: boolean;
  idMin: number;
  idMax: number;
}

export interface GetModelMetadataResponseMessage {
  modelName: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadataMessage[];
  outputs: TensorMetadataMessage[];
  executionProviders: string[];
  effectiveConfigJson: string;
  maxBatchRows: number;
}

/** protobufjs decodes int64 as number or Long-like; normalise to number. */
export function int64ToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    const long = value as { low: number; high: number; unsigned?: boolean };
    return long.high * 0x100000000 + (long.low >>> 0);
  }
  return 0;
}

function decodeWith<T>(type: protobuf.Type, bytes: Uint8Array): T {
  return type.decode(bytes) as unknown as T;
}

export const decodePredictRequest = (bytes: Uint8Array) => decodeWith<PredictRequestMessage>(PredictRequestType, bytes);
export const decodePredictResponse = (bytes: Uint8Array) => decodeWith<PredictResponseMessage>(PredictResponseType, bytes);

export function encodePredictRequest(message: Partial<PredictRequestMessage>): Buffer {
  return Buffer.from(PredictRequestType.encode(message as protobuf.Message).finish());
}

export function encodePredictResponse(message: Partial<PredictResponseMessage>): Buffer {
  const bytes = PredictResponseType.encode(message as protobuf.Message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
