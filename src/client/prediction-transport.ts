/**
 * What rec-client and the benchmarks drive: one way of sending a feed to a server and getting
 * outputs and timings back. Each `--client_mode` is one implementation.
 *
 * Contract: `predict` resolves with outputs keyed by fetch alias, the client round trip and the
 * server's own handler time (Paddle's profile_time pair), or rejects with a ServingError.
 */
import type { HostTensor } from '../core/tensor';

export interface TransportResult {
  readonly outputs: Record<string, HostTensor>;
  readonly clientMicros: number;
  /** Server handler time (end - start), microseconds; NaN when the protocol does not say. */
  readonly serverMicros: number;
  readonly queueMicros?: number;
  readonly computeMicros?: number;
  /** Rows of the batch the server executed this request in (> request rows when batched); undefined when unknown. */
  readonly executedBatchRows?: number;
}

export interface PredictionTransport {
  readonly mode: string;
  predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult>;
  close(): void;
}
