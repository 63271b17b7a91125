/**
 * GeneralModelService.inference without a transport: a decoded Paddle `Request` in, a Paddle
 * `Response` out, through the one core entry `Predictor.predict`. The gRPC, HTTP and baidu_std
 * adapters all call this, so every protocol binds inputs, orders outputs and reports times alike.
 *
 * Contract:
 * - Feeds are bound by `Tensor.name` in any order (see paddle-tensor-codec.ts); outputs come back
 *   by fetch alias in `fetch_var_names` order (every fetch var in config order when empty), inside
 *   one ModelOutput named `GeneralInferOp_0`; `log_id` and `profile_server` are echoed.
 * - `profile_time` always ends with [start_us, end_us] of this handler (µs since the epoch). With
 *   `profile_server` it first holds one pair per stage, as Paddle's ops report theirs: reader
 *   (decode and validate), infer (queue + engine), response (encode).
 * - Failures reject with a ServingError; each adapter maps it onto its protocol.
 */
import { performance } from 'node:perf_hooks';
import type { Predictor } from '../../core/predictor';
import { ENGINE_NAME, type PaddleRequest, type PaddleResponse } from './paddle-messages';
import { decodePaddleFeed, encodePaddleFetch } from './paddle-tensor-codec';

export interface InferenceContext {
  readonly signal?: AbortSignal;
  /** Microseconds since the epoch; injected by tests. Defaults to the performance clock. */
  readonly nowMicros?: () => number;
}

const epochMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

export async function runGeneralModelInference(predictor: Predictor, request: PaddleRequest, context: InferenceContext = {}): Promise<PaddleResponse> {
  const now = context.nowMicros ?? epochMicros;
  const startUs = now();
  const model = predictor.model();
  const inputs = (request.tensor ?? []).map((tensor) => decodePaddleFeed(tensor, model.index));
  const decodedUs = now();
  const result = await predictor.predict({ inputs, outputNames: request.fetch_var_names ?? [] }, { signal: context.signal });
  const inferredUs = now();
  const tensors = result.outputs.map(({ spec, tensor }) => encodePaddleFetch(spec, tensor));
  const endUs = now();
  const profile = request.profile_server === true;
  return {
    outputs: [{ tensor: tensors, engine_name: ENGINE_NAME }],
    profile_time: profile ? [startUs, decodedUs, decodedUs, inferredUs, inferredUs, endUs, startUs, endUs] : [startUs, endUs],
    profile_server: profile,
    log_id: Number(request.log_id ?? 0),
  };
}
