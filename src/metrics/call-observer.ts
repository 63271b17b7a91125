/**
 * What every protocol adapter reports about each finished call, for the metrics
 * (`ServingMetrics.observeCall`).
 *
 * Contract: `code` is the gRPC status code; `protocol` names the front end for the
 * `ctr_requests_total` label: `grpc` (rec_serving Predict, the default when absent),
 * `paddle_grpc`, `paddle_http`, `baidu_std`. Durations in microseconds.
 */
import type { Code } from '../core/errors';

export type CallObserver = (event: {
  method: string; model: string; code: Code; rows: number; durationMicros: number; queueMicros: number; computeMicros: number; protocol?: string;
  /** The model version that answered (several versions of a model may serve at once); absent: the model's newest registered. */
  version?: string;
}) => void;
