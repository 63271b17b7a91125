/**
 * GeneralModelService.inference without a transport: a decoded Paddle `Request` in, a Paddle
 * `Response` out, through the one core entry `Predictor.predict`. The gRPC, HTTP and baidu_std
 * adapters all call this, so every protocol binds inputs, orders outputs and reports times alike.
 *
 * Contract:
 * - Feeds are bound by `Tensor.name` in any order (see paddle-tensor-codec.ts); outputs come back
 *   by fetch alias in `fetch_var_names` order (every fetch var in config order when empty), inside
 *   one ModelOutput named `GeneralInferOp_0`; `log_id` and `profile_server` are echoed.
 * - `profile_time` always ends with [start_us, end_us] of this handler (µs since the epoch), from
 *   before the transport's body is decoded to the last output converted. With
 *   `profile_server` it first holds one pair per stage, as Paddle's ops report theirs: reader
 *   (decode and validate), infer (queue + engine), response (encode).
 * - Failures reject with a ServingError; each adapter maps it onto its protocol.
 * - `serveGeneralModelCall` is what the three adapters call: the transport's own body decoding
 *   (a thunk) and then the inference, with the outcome (OK or the failure's code, decode errors
 *   included) reported once to the metrics observer, labelled with the adapter's protocol. So
 *   metrics are observed in this one place for every Paddle transport.
 */
import { nowEpochMicros as epochMicros } from '../../core/epoch-time';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../../core/errors';
import type { CallLifetime } from '../../core/call-lifetime';
import type { PredictOutput, Predictor } from '../../core/predictor';
import type { CallObserver, PeerSource } from '../../core/call-observer';
import type { NamedTensor } from '../../core/validate-request';
import { ENGINE_NAME, type PaddleRequest, type PaddleResponse, type PaddleTensor } from './paddle-messages';
import { FeedArena, decodePaddleFeed, encodePaddleFetch } from './paddle-tensor-codec';

export interface InferenceContext {
  readonly signal?: AbortSignal;
  /** Preferred over `signal` by the batcher when set (core/call-lifetime.ts). */
  readonly lifetime?: CallLifetime;
  /** Microseconds since the epoch; injected by tests. Defaults to the performance clock. */
  readonly nowMicros?: () => number;
}


/** The front ends of GeneralModelService, as the `protocol` label of `ctr_requests_total` names them. */
export type PaddleProtocol = 'paddle_grpc' | 'paddle_http' | 'baidu_std';

export interface GeneralModelCall extends InferenceContext {
  readonly protocol: PaddleProtocol;
  /** `inference` or `debug`. */
  readonly method: string;
  /** Metrics observer (ServingOps.observe); none: not observed. */
  readonly observe?: CallObserver;
  /** The client's address, for the access log. */
  readonly peer?: PeerSource;
}

/** Decodes the transport's body (throwing a ServingError when it cannot), then runs and observes the call. */
export async function serveGeneralModelCall(
  predictor: Predictor, call: GeneralModelCall, decode: () => PaddleRequest | Promise<PaddleRequest>,
): Promise<PaddleResponse> {
  const startedMs = performance.now();
  try {
    const now = call.nowMicros ?? epochMicros;
    const startUs = now();
    const decoded = decode();
    // A transport that decodes synchronously (gRPC) does not wait a microtask for its request.
    const request = decoded instanceof Promise ? await decoded : decoded;
    const model = predictor.model();
    const feedTensors = request.tensor ?? [];
    const arena = FeedArena.forTensors(feedTensors);
    const inputs = new Array<NamedTensor>(feedTensors.length);
    for (let i = 0; i < feedTensors.length; i++) inputs[i] = decodePaddleFeed(feedTensors[i], model.index, arena);
    const decodedUs = now();
    // The call itself, not a copy of its signal: a lazily created signal stays uncreated when not needed.
    const result = await predictor.predict({ inputs, outputNames: request.fetch_var_names ?? [] }, call);
    const response = paddleResponse(request, result, startUs, decodedUs, now);
    observe(call, startedMs, Code.OK, result.model.name, result.rows, result.queueMicros, result.computeMicros, result.model.version);
    return response;
  } catch (error) {
    observe(call, startedMs, ServingError.from(error).code, '');
    throw error;
  }
}

function observe(call: GeneralModelCall, startedMs: number, code: Code, model: string, rows = 0, queueMicros = 0, computeMicros = 0, version?: string): void {
  call.observe?.({
    method: call.method, protocol: call.protocol, model, code, rows, durationMicros: (performance.now() - startedMs) * 1000, queueMicros, computeMicros, version, peer: call.peer,
  });
}

/** Paddle's Response for a finished call: the outputs as Paddle writes them, and its profile times. */
function paddleResponse(request: PaddleRequest, result: PredictOutput, startUs: number, decodedUs: number, now: () => number): PaddleResponse {
  const inferredUs = now();
  const outputs = result.outputs;
  const tensors = new Array<PaddleTensor>(outputs.length);
  for (let i = 0; i < outputs.length; i++) tensors[i] = encodePaddleFetch(outputs[i].spec, outputs[i].tensor);
  const endUs = now();
  const profile = request.profile_server === true;
  return {
    outputs: [{ tensor: tensors, engine_name: ENGINE_NAME }],
    profile_time: profile ? [startUs, decodedUs, decodedUs, inferredUs, inferredUs, endUs, startUs, endUs] : [startUs, endUs],
    profile_server: profile,
    log_id: Number(request.log_id ?? 0),
  };
}
