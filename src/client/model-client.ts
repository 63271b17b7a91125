/**
 * The typed client library's one entry point: `connect(options)` returns a `ModelClient` with
 * `predict(feed)`, `metadata()` and `close()`. This is what `require('rec-serving')` exports.
 *
 * Contract:
 * - `endpoints`: `host:port`, `dns:host:port` (every address the name resolves to) or several;
 *   over `grpc` and `paddle-grpc` calls are balanced round robin over every connection
 *   (balanced-channel.ts): an endpoint where nothing answers is skipped and retried later, and
 *   `retry` (gRPC's service-config retry policy) retries UNAVAILABLE with backoff. Other
 *   protocols use the endpoints in turn, each over its own connection, and a call that fails
 *   with UNAVAILABLE is tried once more on the next endpoint.
 * - `protocol`: `grpc` (rec-serving's Predict, the default), `paddle-grpc`, `http` (Paddle's
 *   HTTP JSON), `rpc` (baidu_std), `kserve-grpc` or `kserve-http` (the Open Inference
 *   Protocol); every one is served on the same port. `model` selects a model over `grpc` and the
 *   `kserve-*` protocols, `modelVersion` over `grpc`; Paddle's protocols carry no model name, so
 *   they are refused there.
 * - `security`: TLS (CA, client certificate for mTLS, server name) and a bearer token, sent on
 *   every protocol that can carry one (baidu_std: TLS only).
 * - `deadlineMs`: per-call deadline (0 = none), overridable per call.
 * - `predict(feed)` takes named inputs as typed arrays with their dims (`{ data, dims }`,
 *   the dtype taken from the array type: BigInt64Array = int64, Float32Array = float32, ...;
 *   pass `dtype` for float16 / bool) and resolves with the outputs as `Tensor`s plus timings.
 * - Every failure is a `ServingError` with a gRPC `code` (`Code.INVALID_ARGUMENT` for a bad
 *   feed, `Code.UNAVAILABLE` when nothing answers, ...) and a message naming the input.
 */
import { Code, ServingError } from '../core/errors';
import type { DType, HostTensor, TensorData } from '../core/tensor';
import { dtypeFromWire } from '../protocol/predict-messages';
import type { PredictionTransport } from './prediction-transport';
import { RecServingClient } from './rec-serving-client';
import type { ClientSecurity } from './client-security';
import { defaultRetryServiceConfig } from './retry-policy';
import { TRANSPORTS } from './transports';

export type Protocol = 'grpc' | 'paddle-grpc' | 'http' | 'rpc' | 'kserve-grpc' | 'kserve-http';

const PROTOCOLS: readonly Protocol[] = ['grpc', 'paddle-grpc', 'http', 'rpc', 'kserve-grpc', 'kserve-http'];

export interface ConnectOptions {
  /** `host:port` or `dns:host:port`, or several (balanced round robin). */
  readonly endpoints: string | readonly string[];
  /** Default: `grpc`. */
  readonly protocol?: Protocol;
  /** Per-call deadline in milliseconds; 0 or absent = none. */
  readonly deadlineMs?: number;
  /** Model to address (grpc only); absent = the server's default model. */
  readonly model?: string;
  /** Model version (grpc only); absent = the latest. */
  readonly modelVersion?: string;
  /** TLS and a bearer token (see ClientSecurity). */
  readonly security?: ClientSecurity;
  /** gRPC protocols: attempts per call (1 = no retry) when the answer is UNAVAILABLE; 100 ms backoff doubling to 1 s, with retry throttling. Default 1. */
  readonly maxAttempts?: number;
}

/** A named input or output: a typed array holding `product(dims)` elements, row-major. */
export interface Tensor {
  readonly data: TensorData;
  readonly dims: readonly number[];
  /** Needed only where the array type is ambiguous: float16 (Uint16Array) and bool (Uint8Array). */
  readonly dtype?: DType;
}

export interface Prediction {
  /** Outputs by fetch name, each with its dtype. */
  readonly outputs: Readonly<Record<string, Required<Tensor>>>;
  /** Round trip seen by this client, microseconds. */
  readonly clientMicros: number;
  /** The server's own time for the call, microseconds (NaN when the protocol does not say). */
  readonly serverMicros: number;
}

export interface TensorInfo {
  readonly name: string;
  readonly alias: string;
  readonly dtype: DType | 'unknown';
  /** Without the batch dimension; -1 = any. */
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Most rows one request may carry (--max_request_rows). */
  readonly maxRequestRows: number;
}

export interface ModelClient {
  /** Runs the model on `feed`; `fetch` names the outputs wanted (all when empty or absent). */
  predict(feed: Readonly<Record<string, Tensor>>, options?: { readonly fetch?: readonly string[]; readonly deadlineMs?: number }): Promise<Prediction>;
  /** The model's inputs, outputs and versions (over gRPC, which every endpoint serves). */
  metadata(): Promise<ModelMetadata>;
  /** Closes every connection; calls after it fail. */
  close(): void;
}

const DTYPE_OF_ARRAY: ReadonlyArray<[new (n: number) => TensorData, DType]> = [
  [BigInt64Array, 'int64'], [Int32Array, 'int32'], [Float32Array, 'float32'], [Float64Array, 'float64'],
  [Uint16Array, 'float16'], [Uint8Array, 'uint8'], [Int8Array, 'int8'],
];

function toHostTensor(name: string, tensor: Tensor): HostTensor {
  if (tensor === null || typeof tensor !== 'object' || !ArrayBuffer.isView(tensor.data) || !Array.isArray(tensor.dims)) {
    throw new ServingError(Code.INVALID_ARGUMENT, `input "${name}": expected { data: <typed array>, dims: number[] }; got ${describe(tensor)}`);
  }
  const dtype = tensor.dtype ?? DTYPE_OF_ARRAY.find(([type]) => tensor.data instanceof type)?.[1];
  if (dtype === undefined) throw new ServingError(Code.INVALID_ARGUMENT, `input "${name}": unsupported array type ${tensor.data.constructor.name}`);
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new ServingError(Code.INVALID_ARGUMENT, `input "${name}": dims [${tensor.dims.join(', ')}] hold ${count} elements; the array has ${tensor.data.length}`);
  }
  return { dtype, dims: tensor.dims, data: tensor.data };
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `{ ${Object.keys(value).join(', ')} }`;
}

interface Endpoint {
  readonly address: string;
  readonly grpc: RecServingClient;
  readonly transport?: PredictionTransport;
}

export function connect(options: ConnectOptions): ModelClient {
  const addresses = typeof options.endpoints === 'string' ? [options.endpoints] : [...(options.endpoints ?? [])];
  if (addresses.length === 0 || addresses.some((a) => typeof a !== 'string' || a.trim() === '')) {
    throw new ServingError(Code.INVALID_ARGUMENT, `endpoints: expected "host:port" or a non-empty list of them; got ${JSON.stringify(options.endpoints)}`);
  }
  const protocol = options.protocol ?? 'grpc';
  if (!PROTOCOLS.includes(protocol)) {
    throw new ServingError(Code.INVALID_ARGUMENT, `protocol: expected ${PROTOCOLS.join(', ')}; got "${String(protocol)}"`);
  }
  if (!protocol.startsWith('kserve-') && protocol !== 'grpc' && options.model !== undefined) {
    throw new ServingError(Code.INVALID_ARGUMENT, `model selects a model over protocols grpc, kserve-grpc and kserve-http; Paddle's ${protocol} requests carry no model name`);
  }
  if (protocol !== 'grpc' && options.modelVersion !== undefined) {
    throw new ServingError(Code.INVALID_ARGUMENT, `modelVersion selects a version over protocol "grpc" only; got protocol "${protocol}"`);
  }
  const maxAttempts = options.maxAttempts ?? 1;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 5) {
    throw new ServingError(Code.INVALID_ARGUMENT, `maxAttempts: expected an integer in [1, 5] (gRPC's limit); got ${maxAttempts}`);
  }
  const deadlineMs = options.deadlineMs ?? 0;
  if (!Number.isFinite(deadlineMs) || deadlineMs < 0) throw new ServingError(Code.INVALID_ARGUMENT, `deadlineMs: expected milliseconds >= 0; got ${deadlineMs}`);
  const security = options.security === undefined ? {} : { security: options.security };
  const balancing = { ...security, ...(maxAttempts > 1 ? { serviceConfig: defaultRetryServiceConfig(maxAttempts) } : {}) };
  // gRPC: one balanced channel over every endpoint. Other protocols: one transport per endpoint.
  const balanced = protocol === 'grpc' || protocol === 'paddle-grpc';
  const endpoints: Endpoint[] = (balanced ? [addresses.join(',')] : addresses).map((address) => ({
    address,
    grpc: RecServingClient.connect(address, { deadlineMs, ...balancing }),
    ...(protocol === 'grpc' ? {} : { transport: TRANSPORTS[protocol](address, deadlineMs, { ...security, ...(balanced ? { balancing } : {}), ...(options.model === undefined ? {} : { modelName: options.model }) }) }),
  }));
  let next = 0;
  let requestId = 0;
  let closed = false;

  /** Runs `call` on the next endpoint; on UNAVAILABLE tries the one after it once. */
  const onNext = async <T>(call: (endpoint: Endpoint) => Promise<T>): Promise<T> => {
    if (closed) throw new ServingError(Code.CANCELLED, 'this client was closed');
    const first = endpoints[next++ % endpoints.length];
    try {
      return await call(first);
    } catch (error) {
      if (endpoints.length === 1 || !(error instanceof ServingError) || error.code !== Code.UNAVAILABLE) throw error;
      return call(endpoints[next++ % endpoints.length]);
    }
  };

  return {
    async predict(feed, callOptions = {}) {
      const host: Record<string, HostTensor> = {};
      for (const [name, tensor] of Object.entries(feed)) host[name] = toHostTensor(name, tensor);
      const fetch = callOptions.fetch ?? [];
      const id = requestId++;
      if (protocol === 'grpc') {
        return onNext(async (endpoint) => {
          const result = await endpoint.grpc.predict(host, fetch, {
            requestId: id,
            ...(callOptions.deadlineMs === undefined ? {} : { deadlineMs: callOptions.deadlineMs }),
            ...(options.model === undefined ? {} : { modelName: options.model }),
            ...(options.modelVersion === undefined ? {} : { modelVersion: options.modelVersion }),
          });
          return { outputs: withDtypes(result.outputs), clientMicros: result.clientMicros, serverMicros: result.server.endMicros - result.server.startMicros };
        });
      }
      if (callOptions.deadlineMs !== undefined) throw new ServingError(Code.INVALID_ARGUMENT, `a per-call deadlineMs is honoured over protocol "grpc" only; set deadlineMs in connect() for ${protocol}`);
      return onNext(async (endpoint) => {
        const result = await endpoint.transport!.predict(host, fetch, id);
        return { outputs: withDtypes(result.outputs), clientMicros: result.clientMicros, serverMicros: result.serverMicros };
      });
    },
    metadata() {
      return onNext(async (endpoint) => {
        const m = await endpoint.grpc.getModelMetadata(options.model ?? '');
        const info = (t: { name: string; alias: string; dtype: number; shape: number[] }): TensorInfo => ({ name: t.name, alias: t.alias, dtype: dtypeFromWire(t.dtype) ?? 'unknown', shape: t.shape.map(Number) });
        return { name: m.modelName, versions: [...m.versions], platform: m.platform, inputs: m.inputs.map(info), outputs: m.outputs.map(info), maxRequestRows: Number(m.maxBatchRows) };
      });
    },
    close() {
      closed = true;
      for (const endpoint of endpoints) {
        endpoint.grpc.close();
        endpoint.transport?.close();
      }
    },
  };
}

function withDtypes(outputs: Record<string, HostTensor>): Record<string, Required<Tensor>> {
  const result: Record<string, Required<Tensor>> = {};
  for (const [name, tensor] of Object.entries(outputs)) result[name] = { data: tensor.data, dims: tensor.dims, dtype: tensor.dtype };
  return result;
}
