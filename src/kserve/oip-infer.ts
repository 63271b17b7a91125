/**
 * ModelInfer of the Open Inference Protocol without a transport: a decoded request in, the
 * core's outputs out, through the one core entry `Predictor.predict`. The gRPC and HTTP adapters
 * both call `serveOipInfer`, so both bind inputs, check parameters, apply deadlines and report
 * metrics alike; each adapter only decodes its body and encodes the answer.
 *
 * Contract:
 * - The model is looked up first (NOT_FOUND naming what is served, before any input is read);
 *   then inputs are converted (oip-tensors.ts) and validated by the core (same messages as every
 *   other protocol).
 * - Requested outputs are answered under the name the client asked for (alias or real name); with
 *   none requested, every output in signature order under its alias (the name ModelMetadata lists).
 * - Parameters: `timeout` (µs, Triton's request timeout) becomes a deadline (DEADLINE_EXCEEDED)
 *   on top of the transport's; `priority`, `sequence_*` and an output's `classification` are
 *   refused with INVALID_ARGUMENT when set (one queue, no sequence batching, no classification
 *   here); `binary_data*` are the HTTP adapter's; other parameters are ignored, as Triton leaves
 *   parameters no backend reads.
 * - Every call is reported once to the metrics observer with the adapter's protocol label,
 *   decode errors included.
 */
import type { CallLifetime } from '../core/call-lifetime';
import { performance } from 'node:perf_hooks';
import { Code, ServingError, deadlineExceeded, invalidArgument } from '../core/errors';
import type { PredictContext, PredictOutput, Predictor } from '../core/predictor';
import type { CallObserver } from '../core/call-observer';
import { decodeOipInputs, type OipInputTensor } from './oip-tensors';

export type OipParameterValue = boolean | number | string;
export type OipParameters = Readonly<Record<string, OipParameterValue>>;

export interface OipRequestedOutput {
  readonly name: string;
  readonly parameters: OipParameters;
}

export interface OipInferRequest {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string;
  readonly parameters: OipParameters;
  readonly inputs: readonly OipInputTensor[];
  readonly outputs: readonly OipRequestedOutput[];
}

/** The front ends of the Open Inference Protocol, as `ctr_requests_total`'s protocol label names them. */
export type OipProtocol = 'kserve_grpc' | 'kserve_http';

export interface OipInferCall {
  readonly protocol: OipProtocol;
  /** The transport's deadline and cancellation (read lazily: created only when a request has to wait). */
  readonly signal?: AbortSignal;
  /** The same without an AbortSignal (core/call-lifetime.ts); the batcher prefers it. */
  readonly lifetime?: CallLifetime;
  readonly observe?: CallObserver;
}

export interface OipInferResult {
  readonly request: OipInferRequest;
  readonly result: PredictOutput;
  /** The name each output is answered under, in `result.outputs` order. */
  readonly outputNames: readonly string[];
}

export async function serveOipInfer(predictor: Predictor, call: OipInferCall, decode: () => OipInferRequest | Promise<OipInferRequest>): Promise<OipInferResult> {
  const startedMs = performance.now();
  let modelName = '';
  const observe = (code: Code, rows = 0, queueMicros = 0, computeMicros = 0) => call.observe?.({
    method: 'ModelInfer', protocol: call.protocol, model: modelName, code, rows, durationMicros: (performance.now() - startedMs) * 1000, queueMicros, computeMicros,
  });
  try {
    const request = await decode();
    modelName = request.modelName;
    predictor.model(request.modelName, request.modelVersion);
    const timeoutMicros = checkParameters(request);
    const inputs = decodeOipInputs(request.inputs);
    const outputNames = request.outputs.map((o) => o.name);
    const timed = timeoutMicros > 0 ? withTimeout(call, timeoutMicros) : undefined;
    let result: PredictOutput;
    try {
      result = await predictor.predict({ modelName: request.modelName, modelVersion: request.modelVersion, inputs, outputNames }, timed ?? call);
    } finally {
      timed?.dispose();
    }
    modelName = result.model.name;
    observe(Code.OK, result.rows, result.queueMicros, result.computeMicros);
    return { request, result, outputNames: outputNames.length > 0 ? outputNames : result.outputs.map((o) => o.spec.alias) };
  } catch (error) {
    observe(ServingError.from(error).code);
    throw error;
  }
}

/** Checks the parameters that mean something here; returns the `timeout` in µs (0: none). */
function checkParameters(request: OipInferRequest): number {
  const p = request.parameters;
  const refuse = (name: string, why: string) => invalidArgument(`parameter "${name}" is not supported: ${why}; got ${JSON.stringify(p[name])}`);
  if (p.priority !== undefined && p.priority !== 0) throw refuse('priority', 'the batcher has one queue (no priority levels)');
  for (const name of ['sequence_id', 'sequence_start', 'sequence_end']) {
    const value = p[name];
    if (value !== undefined && value !== 0 && value !== false && value !== '') throw refuse(name, 'rec-serving has no sequence batching (stateless models only)');
  }
  for (const output of request.outputs) {
    const classification = output.parameters.classification;
    if (classification !== undefined && classification !== 0) {
      throw invalidArgument(`output "${output.name}": parameter "classification" is not supported (outputs are returned as tensors); got ${JSON.stringify(classification)}`);
    }
  }
  const timeout = p.timeout;
  if (timeout === undefined) return 0;
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0) {
    throw invalidArgument(`parameter "timeout" must be a non-negative integer of microseconds; got ${JSON.stringify(timeout)}`);
  }
  return timeout;
}

/**
 * The call's signal joined with one that aborts DEADLINE_EXCEEDED after `timeoutMicros`; a call
 * with only a lifetime (HTTP) has its client-gone hook abort that signal instead.
 */
function withTimeout(call: OipInferCall, timeoutMicros: number): PredictContext & { dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(deadlineExceeded(`the request's "timeout" parameter (${timeoutMicros} µs) passed`)), Math.max(1, Math.ceil(timeoutMicros / 1000)));
  const outer = call.signal;
  const lifetime = outer === undefined ? call.lifetime : undefined;
  lifetime?.onClientGone((reason) => controller.abort(reason));
  return {
    signal: outer === undefined ? controller.signal : AbortSignal.any([outer, controller.signal]),
    dispose: () => {
      clearTimeout(timer);
      lifetime?.onClientGone(undefined);
    },
  };
}
