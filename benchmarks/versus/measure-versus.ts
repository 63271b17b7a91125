/**
 * Measures every series at every load in interleaved rounds: round r runs each load for every
 * series in turn (the series order rotated by one each round), so a noisy neighbour hits all
 * series alike and no series always goes first.
 *
 * Contract: each (series, load) first sends `warmup` untimed calls; then per round `requests`
 * timed calls through rec-client's closed-loop runner with `inFlight` callers. Results keep the
 * pooled latency (HDR histogram of every timed call), pooled throughput (rows over summed wall
 * time) and the per-round figures. Failed calls are counted by code, never stop the run.
 */
import type { Batch } from '../../src/client/closed-loop-runner';
import { runClosedLoop } from '../../src/client/closed-loop-runner';
import type { PredictionTransport } from '../../src/client/prediction-transport';
import { LatencyHistogram, type LatencySummary } from '../../src/client/latency-histogram';
import type { Load, LoadKey, Series } from './series';

export interface SeriesTarget {
  readonly series: Series;
  readonly transport: PredictionTransport;
}

export interface LoadPlan {
  readonly load: Load;
  readonly batches: readonly Batch[];
  /** Timed calls per series per round. */
  readonly requests: number;
  readonly warmup: number;
}

export interface RoundFigure {
  readonly requests: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly rowsPerSecond: number;
  readonly callsPerSecond: number;
}

export interface SeriesLoadResult {
  readonly series: string;
  readonly load: LoadKey;
  readonly latency: LatencySummary;
  readonly rowsPerSecond: number;
  readonly callsPerSecond: number;
  readonly rounds: RoundFigure[];
  readonly failures: Record<string, number>;
}

export interface MeasureVersusOptions {
  readonly targets: readonly SeriesTarget[];
  readonly plans: readonly LoadPlan[];
  readonly rounds: number;
  readonly progress: (message: string) => void;
}

interface Accumulator {
  readonly pooled: LatencyHistogram;
  rows: number;
  calls: number;
  wallMicros: number;
  readonly rounds: RoundFigure[];
  readonly failures: Record<string, number>;
}

async function runOnce(target: SeriesTarget, plan: LoadPlan, requests: number) {
  return runClosedLoop(target.transport, plan.batches, { threads: plan.load.inFlight, requests, fetch: [] });
}

export async function measureVersus(options: MeasureVersusOptions): Promise<SeriesLoadResult[]> {
  const { targets, plans, rounds, progress } = options;
  const acc = new Map<string, Accumulator>();
  const keyOf = (series: Series, load: Load) => `${series.key}|${load.key}`;
  for (const plan of plans) {
    for (const target of targets) {
      acc.set(keyOf(target.series, plan.load), { pooled: new LatencyHistogram(), rows: 0, calls: 0, wallMicros: 0, rounds: [], failures: {} });
      if (plan.warmup <= 0) continue;
      const warm = await runOnce(target, plan, plan.warmup);
      const failed = [...warm.failures.values()].reduce((a, b) => a + b, 0);
      if (failed > 0 && warm.requests === 0) throw new Error(`${target.series.name}: every warm-up call at ${plan.load.title} failed (${JSON.stringify(Object.fromEntries(warm.failures))})`);
    }
    progress(`warmed up ${plan.load.title}: ${plan.warmup} calls per series`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const plan of plans) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length];
        const result = await runOnce(target, plan, plan.requests);
        const a = acc.get(keyOf(target.series, plan.load))!;
        const hist = result.clientMicros;
        a.pooled.add(hist);
        a.rows += result.rows;
        a.calls += result.requests;
        a.wallMicros += result.wallMicros;
        for (const [code, count] of result.failures) a.failures[code] = (a.failures[code] ?? 0) + count;
        const s = hist.summary();
        a.rounds.push({ requests: result.requests, p50Micros: s.p50Micros, p99Micros: s.p99Micros, rowsPerSecond: result.rows / (result.wallMicros / 1e6), callsPerSecond: result.requests / (result.wallMicros / 1e6) });
      }
    }
    progress(`round ${round + 1}/${rounds} done`);
  }
  const results: SeriesLoadResult[] = [];
  for (const plan of plans) {
    for (const target of targets) {
      const a = acc.get(keyOf(target.series, plan.load))!;
      const seconds = a.wallMicros / 1e6;
      results.push({
        series: target.series.key, load: plan.load.key, latency: a.pooled.summary(),
        rowsPerSecond: seconds > 0 ? a.rows / seconds : 0, callsPerSecond: seconds > 0 ? a.calls / seconds : 0,
        rounds: a.rounds, failures: a.failures,
      });
    }
  }
  return results;
}
