/**
 * The end-of-run summary rec-client prints: requests, rows, wall time, QPS and rows/s,
 * p50/p90/p99/max of client and server cost, failures by code, and AUC / log-loss when the
 * data has labels.
 */
import { auc, logLoss } from '../data/classification-metrics';
import type { Batch, ClosedLoopResult } from './closed-loop-runner';
import type { LatencyHistogram } from './latency-histogram';

/** Microseconds; NaN throughout when nothing was recorded. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function summarize(histogram: LatencyHistogram): LatencySummary {
  const s = histogram.summary();
  if (s.count === 0) return { count: 0, mean: Number.NaN, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
  return { count: s.count, mean: s.meanMicros, p50: s.p50Micros, p90: s.p90Micros, p99: s.p99Micros, max: s.maxMicros };
}

export interface RunSummaryInput {
  readonly mode: string;
  readonly batchSize: number;
  readonly threads: number;
  readonly result: ClosedLoopResult;
  readonly batches: readonly Batch[];
  /** Latest scores per batch (first fetch var), empty for batches never answered. */
  readonly scores: ReadonlyArray<ArrayLike<number>>;
}

const ms = (micros: number) => (micros / 1000).toFixed(3);
const line = (name: string, s: LatencySummary) => s.count === 0 ? `${name.padEnd(12)} n/a (no successful request)` :
  `${name.padEnd(12)} p50=${ms(s.p50)}ms p90=${ms(s.p90)}ms p99=${ms(s.p99)}ms max=${ms(s.max)}ms mean=${ms(s.mean)}ms`;

export function formatRunSummary(input: RunSummaryInput) {
  const { result } = input;
  const seconds = result.wallMicros / 1e6;
  const client = summarize(result.clientMicros);
  const server = summarize(result.serverMicros);
  const labels: number[] = [];
  const scores: number[] = [];
  input.batches.forEach((batch, i) => {
    const batchScores = input.scores[i];
    if (batch.labels === undefined || batchScores.length !== batch.rows) return;
    batch.labels.forEach((label, row) => {
      if (!Number.isNaN(label)) {
        labels.push(label);
        scores.push(batchScores[row]);
      }
    });
  });
  const hasBothClasses = labels.includes(0) && labels.includes(1);
  const quality = hasBothClasses ? { auc: auc(labels, scores), logLoss: logLoss(labels, scores), labelledRows: labels.length } : undefined;
  const failures = Object.fromEntries(result.failures);
  const json = {
    mode: input.mode,
    batchSize: input.batchSize,
    threads: input.threads,
    requests: result.requests,
    rows: result.rows,
    failures,
    wallSeconds: seconds,
    qps: result.requests / seconds,
    rowsPerSecond: result.rows / seconds,
    clientCostMicros: client,
    serverCostMicros: server,
    quality,
  };
  const text = [
    '--- rec-client summary ---',
    `mode=${input.mode} batchsize=${input.batchSize} threads=${input.threads}`,
    `requests=${result.requests} rows=${result.rows} failed=${[...result.failures.values()].reduce((a, b) => a + b, 0)}${result.failures.size ? ` ${JSON.stringify(failures)}` : ''}`,
    `wall=${seconds.toFixed(3)}s qps=${json.qps.toFixed(1)} rows/s=${json.rowsPerSecond.toFixed(1)}`,
    line('client_cost', client),
    server.count > 0 ? line('server_cost', server) : 'server_cost  n/a',
    quality === undefined ? 'auc/logloss  n/a (no labels with both classes)' : `auc=${quality.auc.toFixed(4)} logloss=${quality.logLoss.toFixed(4)} over ${quality.labelledRows} labelled rows`,
  ].join('\n');
  return { text, json };
}
