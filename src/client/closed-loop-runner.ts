/**
 * Closed-loop load: `threads` callers, each sending its next batch as soon as its previous answer
 * arrived (rec_client.py is one such caller). Used by rec-client and the benchmarks.
 *
 * Contract: batches are taken from a shared cursor in order; with neither `requests` nor
 * `durationMs` set, every batch is sent exactly once; otherwise the batches cycle until the
 * request count or the duration is reached (whichever is set; both bound the run). Failures are
 * counted by gRPC code and never stop the run. Resolves with the latencies in HDR histograms
 * (fixed memory, 3 significant digits).
 */
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import { LatencyHistogram } from './latency-histogram';
import type { PredictionTransport, TransportResult } from './prediction-transport';

export interface Batch {
  readonly feed: Readonly<Record<string, HostTensor>>;
  readonly rows: number;
  readonly labels?: readonly number[];
}

export interface ClosedLoopOptions {
  readonly threads: number;
  /** Stop after this many requests (0 or undefined: no count limit). */
  readonly requests?: number;
  /** Stop sending after this many milliseconds (0 or undefined: no time limit). */
  readonly durationMs?: number;
  readonly fetch: readonly string[];
  readonly onResult?: (requestId: number, batchIndex: number, result: TransportResult) => void;
  readonly onError?: (requestId: number, batchIndex: number, error: ServingError) => void;
  /** Checked before each request: true ends the run (e.g. nothing answers at the address). */
  readonly shouldStop?: () => boolean;
}

export interface ClosedLoopResult {
  readonly requests: number;
  readonly rows: number;
  readonly wallMicros: number;
  readonly clientMicros: LatencyHistogram;
  /** Only the answers that carried the server's own time. */
  readonly serverMicros: LatencyHistogram;
  readonly failures: Map<string, number>;
}

export async function runClosedLoop(transport: PredictionTransport, batches: readonly Batch[], options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  if (batches.length === 0) throw new Error('no batches to send (is the data shorter than one batch?)');
  const cycling = (options.requests ?? 0) > 0 || (options.durationMs ?? 0) > 0;
  const maxRequests = cycling ? options.requests || Number.POSITIVE_INFINITY : batches.length;
  const started = performance.now();
  const stopAt = (options.durationMs ?? 0) > 0 ? started + options.durationMs! : Number.POSITIVE_INFINITY;
  let next = 0;
  let rows = 0;
  let requests = 0;
  const clientMicros = new LatencyHistogram();
  const serverMicros = new LatencyHistogram();
  const failures = new Map<string, number>();

  const caller = async () => {
    while (next < maxRequests && performance.now() < stopAt && options.shouldStop?.() !== true) {
      const requestId = next++;
      const batchIndex = requestId % batches.length;
      const batch = batches[batchIndex];
      try {
        const result = await transport.predict(batch.feed, options.fetch, requestId);
        requests++;
        clientMicros.record(result.clientMicros);
        if (Number.isFinite(result.serverMicros) && result.serverMicros >= 0) serverMicros.record(result.serverMicros);
        rows += batch.rows;
        options.onResult?.(requestId, batchIndex, result);
      } catch (error) {
        const serving = error instanceof ServingError ? error : ServingError.from(error);
        const key = Code[serving.code] ?? String(serving.code);
        failures.set(key, (failures.get(key) ?? 0) + 1);
        options.onError?.(requestId, batchIndex, serving);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.threads) }, caller));
  return { requests, rows, wallMicros: (performance.now() - started) * 1000, clientMicros, serverMicros, failures };
}
