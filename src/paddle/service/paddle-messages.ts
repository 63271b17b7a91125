/**
 * Paddle Serving's wire messages (proto/paddle/general_model_service.proto) and brpc's baidu_std
 * RpcMeta (proto/paddle/baidu_rpc_meta.proto), as protobufjs reflection types.
 *
 * Contract: loaded with `keepCase`, so decoded objects use the proto field names (`int64_data`,
 * `fetch_var_names`), the same names Paddle's JSON uses. 64-bit fields decode as JS numbers
 * (through protocol/protobuf-runtime.ts): exact below 2^53, which covers ids and µs timestamps.
 * Decoders throw on malformed bytes; callers turn that into their protocol's error.
 */
import * as path from 'node:path';
import { protobuf } from '../../protocol/protobuf-runtime';
import { PROTO_ROOT } from '../../protocol/proto-paths';

export const PADDLE_PACKAGE = 'baidu.paddle_serving.predictor.general_model';
export const PADDLE_SERVICE_NAME = `${PADDLE_PACKAGE}.GeneralModelService`;
export const PADDLE_METHODS = ['inference', 'debug'] as const;
export type PaddleMethod = (typeof PADDLE_METHODS)[number];
export const PADDLE_GRPC_PATHS: Readonly<Record<PaddleMethod, string>> = {
  inference: `/${PADDLE_SERVICE_NAME}/inference`,
  debug: `/${PADDLE_SERVICE_NAME}/debug`,
};
/** Name of the one ModelOutput Paddle's default pipeline (reader -> infer -> response) returns. */
export const ENGINE_NAME = 'GeneralInferOp_0';

const root = new protobuf.Root();
root.loadSync(path.join(PROTO_ROOT, 'paddle', 'general_model_service.proto'), { keepCase: true });
root.loadSync(path.join(PROTO_ROOT, 'paddle', 'baidu_rpc_meta.proto'), { keepCase: true });

export const PaddleRequestType = root.lookupType(`${PADDLE_PACKAGE}.Request`);
export const PaddleResponseType = root.lookupType(`${PADDLE_PACKAGE}.Response`);
const RpcMetaType = root.lookupType('brpc.policy.RpcMeta');

/** Typed data arrays accept any array-like on encode (typed arrays included). */
type Values<T> = ArrayLike<T>;

export interface PaddleTensor {
  int64_data?: Values<number>;
  float_data?: Values<number>;
  int_data?: Values<number>;
  float64_data?: Values<number>;
  uint32_data?: Values<number>;
  bool_data?: Values<boolean>;
  complex64_data?: Values<number>;
  complex128_data?: Values<number>;
  data?: Values<string>;
  elem_type?: number;
  shape?: Values<number>;
  lod?: Values<number>;
  name?: string;
  alias_name?: string;
  tensor_content?: Uint8Array;
}

export interface PaddleRequest {
  tensor: PaddleTensor[];
  fetch_var_names: string[];
  profile_server: boolean;
  log_id: number;
}

export interface PaddleModelOutput {
  tensor: PaddleTensor[];
  engine_name: string;
}

export interface PaddleResponse {
  outputs: PaddleModelOutput[];
  profile_time: number[];
  profile_server?: boolean;
  log_id?: number;
  err_no?: number;
  err_msg?: string;
}

export interface RpcMeta {
  request?: { service_name?: string; method_name?: string; log_id?: number };
  response?: { error_code?: number; error_text?: string };
  compress_type?: number;
  correlation_id?: number;
  attachment_size?: number;
}

/** Decodes a Request; throws on malformed bytes. Fields left unset read as proto3 defaults. */
export function encodePaddleRequest(request: Partial<PaddleRequest>): Uint8Array {
  return PaddleRequestType.encode(request as protobuf.Message).finish();
}

export function decodePaddleResponse(bytes: Uint8Array): PaddleResponse {
  return PaddleResponseType.decode(bytes) as unknown as PaddleResponse;
}

/**
 * A Request from its JSON form (proto field names; int64 as numbers or strings). Throws a
 * TypeError naming the field when a value has the wrong shape (e.g. `.tensor: array expected`).
 */
export function paddleRequestFromObject(value: Record<string, unknown>): PaddleRequest {
  return PaddleRequestType.fromObject(value) as unknown as PaddleRequest;
}

/** A Response from its JSON form (the client side of the HTTP protocol). */
export function paddleResponseFromObject(value: Record<string, unknown>): PaddleResponse {
  return PaddleResponseType.fromObject(value) as unknown as PaddleResponse;
}

export function decodeRpcMeta(bytes: Uint8Array): RpcMeta {
  return RpcMetaType.toObject(RpcMetaType.decode(bytes), { longs: Number }) as RpcMeta;
}

export function encodeRpcMeta(meta: RpcMeta): Uint8Array {
  return RpcMetaType.encode(meta as protobuf.Message).finish();
}
