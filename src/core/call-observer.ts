/**
 * What every protocol adapter reports about each finished call, for the metrics
 * (`ServingMetrics.observeCall`) and the access log (metrics/access-log.ts).
 *
 * Contract: `code` is the gRPC status code; `protocol` names the front end for the
 * `ctr_requests_total` label: `grpc` (rec_serving Predict, the default when absent),
 * `paddle_grpc`, `paddle_http`, `baidu_std`, `kserve_grpc`, `kserve_http` (the Open Inference
 * Protocol). Durations in microseconds. `version` is the model version that answered (absent
 * when the call failed before a model was chosen). `peer` is read only by the access log (a
 * socket or a lazy getter: nothing is formatted per call otherwise).
 */
import type { Code } from './errors';

/** Where a call came from: a net.Socket satisfies it. */
export interface PeerSource {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

export type CallObserver = (event: {
  method: string; model: string; code: Code; rows: number; durationMicros: number; queueMicros: number; computeMicros: number; protocol?: string;
  version?: string; peer?: PeerSource;
}) => void;
