/**
 * What one measurement window of a served load level accumulates, and the per-level figures made
 * from the windows that counted.
 *
 * Contract: `WindowAccumulator.record` takes one finished request (client latency, the server's
 * own timings when the protocol reports them, rows sent); `summarize(windows, seconds)` merges
 * windows into the level's row. Client send/receive is approximated as client latency minus the
 * server's handler time (encode, network both ways, decode on the client); the server's handler
 * time splits into queue, compute and the rest (decode, validation, encode).
 */
import { LatencyHistogram, type LatencySummary } from '../../src/client/latency-histogram';
import type { TransportResult } from '../../src/client/prediction-transport';

export class WindowAccumulator {
  readonly latency = new LatencyHistogram();
  requests = 0;
  rows = 0;
  serverSamples = 0;
  serverMicrosSum = 0;
  queueMicrosSum = 0;
  computeMicrosSum = 0;
  /** Answers that split the handler time into queue and compute (Predict does; Paddle's protocols do not). */
  splitSamples = 0;
  splitServerMicrosSum = 0;
  clientMinusServerSum = 0;
  batchRowsSamples = 0;
  batchRowsSum = 0;
  readonly failures = new Map<string, number>();

  record(latencyMicros: number, rows: number, result: TransportResult): void {
    this.latency.record(latencyMicros);
    this.requests++;
    this.rows += rows;
    if (Number.isFinite(result.serverMicros) && result.serverMicros >= 0) {
      this.serverSamples++;
      this.serverMicrosSum += result.serverMicros;
      if (result.queueMicros !== undefined && result.computeMicros !== undefined) {
        this.splitSamples++;
        this.splitServerMicrosSum += result.serverMicros;
        this.queueMicrosSum += result.queueMicros;
        this.computeMicrosSum += result.computeMicros;
      }
      this.clientMinusServerSum += Math.max(0, result.clientMicros - result.serverMicros);
    }
    if (result.executedBatchRows !== undefined && result.executedBatchRows > 0) {
      this.batchRowsSamples++;
      this.batchRowsSum += result.executedBatchRows;
    }
  }

  fail(code: string): void {
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
  }
}

export interface LevelFigures {
  readonly requests: number;
  readonly rows: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly rowsPerSecond: number;
  readonly latency: LatencySummary;
  /** Mean client latency minus server handler time: client encode/send/receive/decode + network. */
  readonly clientSendRecvMicros: number;
  readonly serverMicros: number;
  readonly serverQueueMicros: number;
  readonly serverComputeMicros: number;
  /** Server handler time outside queue and compute: decode, validation, encode. */
  readonly serverOtherMicros: number;
  /** Mean rows per executed batch on the server (= rows per request without a batcher); NaN when unknown. */
  readonly averageBatchRows: number;
  readonly failures: Record<string, number>;
}

export function summarizeWindows(windows: readonly WindowAccumulator[], seconds: number): LevelFigures {
  const total = new LatencyHistogram();
  let requests = 0, rows = 0, serverSamples = 0, server = 0, queue = 0, compute = 0, clientMinus = 0, batchSamples = 0, batchRows = 0, splitSamples = 0, splitServer = 0;
  const failures: Record<string, number> = {};
  for (const w of windows) {
    total.add(w.latency);
    requests += w.requests;
    rows += w.rows;
    serverSamples += w.serverSamples;
    server += w.serverMicrosSum;
    queue += w.queueMicrosSum;
    compute += w.computeMicrosSum;
    splitSamples += w.splitSamples;
    splitServer += w.splitServerMicrosSum;
    clientMinus += w.clientMinusServerSum;
    batchSamples += w.batchRowsSamples;
    batchRows += w.batchRowsSum;
    for (const [code, count] of w.failures) failures[code] = (failures[code] ?? 0) + count;
  }
  const per = (sum: number) => (serverSamples > 0 ? sum / serverSamples : NaN);
  // Never measured (the protocol does not say) is NaN, which the reports leave empty, never 0.
  const perSplit = (sum: number) => (splitSamples > 0 ? sum / splitSamples : NaN);
  return {
    requests, rows, seconds,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
    latency: total.summary(),
    clientSendRecvMicros: per(clientMinus),
    serverMicros: per(server),
    serverQueueMicros: perSplit(queue),
    serverComputeMicros: perSplit(compute),
    serverOtherMicros: perSplit(splitServer - queue - compute),
    averageBatchRows: batchSamples > 0 ? batchRows / batchSamples : NaN,
    failures,
  };
}
