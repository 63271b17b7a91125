/**
 * Runs `cases` seeded fuzz cases against a running server, `concurrency` at a time, while a few
 * small valid calls run alongside. After every `probeEvery` cases, and at the end, a valid request
 * on each protocol must be answered with the baseline scores; a dead server process stops the run.
 *
 * Contract: never throws for what the server does; returns counts per kind and outcome, every
 * failing case (with seed, index, kind, outcome and why; `known` marks the ones the caller
 * expects), probe failures, whether the server died, RSS before and after (KiB; `after` is read
 * once the server has been idle for `settleMs`), and the latency of the concurrent valid calls.
 */
import { performance } from 'node:perf_hooks';
import { generateCase, type FuzzCase } from './cases';
import { processState } from './fuzz-server';
import { startLatencyLoad, percentile } from './latency-load';
import { judge, outcomeLabel, type Outcome } from './outcome';
import { baseline, probeAll } from './probes';
import { sendH2 } from './send-h2';
import { sendTcp } from './send-tcp';

export interface FuzzRunOptions {
  readonly port: number;
  readonly pid: number;
  readonly seed: number;
  readonly cases: number;
  readonly concurrency: number;
  readonly probeEvery: number;
  readonly latencyCallers: number;
  readonly settleMs?: number;
  /** Cases (from seed + 1, not counted) run before the RSS baseline, so it is the warm size. */
  readonly warmupCases?: number;
  /** True for a failure the caller already knows about (reported, not counted as new). */
  readonly known?: (fuzzCase: FuzzCase, why: string) => boolean;
  readonly onProgress?: (done: number) => void;
}

export interface FuzzFailure {
  readonly seed: number;
  readonly index: number;
  readonly kind: string;
  readonly outcome: string;
  readonly why: string;
  readonly known: boolean;
}

export interface FuzzReport {
  readonly seed: number;
  readonly casesRun: number;
  /** kind → outcome label → count. */
  readonly counts: Map<string, Map<string, number>>;
  readonly failures: FuzzFailure[];
  readonly hangs: number;
  readonly probeRounds: number;
  readonly probeFailures: string[];
  readonly crashed: boolean;
  /** RSS after start-up and 1 s of valid calls, before any warm-up case. */
  readonly rssColdKb: number;
  readonly rssBeforeKb: number;
  readonly rssAfterKb: number;
  readonly latency: { readonly count: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly errors: string[] };
  readonly durationMs: number;
}

export function sendCase(port: number, fuzzCase: FuzzCase): Promise<Outcome> {
  const transport = fuzzCase.transport;
  return transport.type === 'h2' ? sendH2(port, fuzzCase, transport.headers) : sendTcp(port, fuzzCase, transport.parser);
}

async function runCases(port: number, seed: number, count: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await sendCase(port, generateCase(seed, next++));
  }));
}

export async function runFuzz(options: FuzzRunOptions): Promise<FuzzReport> {
  const started = performance.now();
  const expected = await baseline(options.port);
  // Warm both the server and the latency path before the RSS baseline.
  const warm = startLatencyLoad(options.port, options.latencyCallers, 0);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await warm.stop();
  const rssColdKb = processState(options.pid).rssKb;
  await runCases(options.port, options.seed + 1, options.warmupCases ?? 0, options.concurrency);
  await new Promise((resolve) => setTimeout(resolve, options.warmupCases ? options.settleMs ?? 1000 : 0));
  const rssBeforeKb = processState(options.pid).rssKb;

  const counts = new Map<string, Map<string, number>>();
  const failures: FuzzFailure[] = [];
  const probeFailures: string[] = [];
  let probeRounds = 0;
  let next = 0;
  let done = 0;
  let crashed = false;
  const load = startLatencyLoad(options.port, options.latencyCallers);
  const probeRound = async () => {
    probeRounds++;
    for (const failure of await probeAll(options.port, expected)) probeFailures.push(`after case ${done}: ${failure}`);
  };
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (next < options.cases && !crashed) {
      const fuzzCase = generateCase(options.seed, next++);
      const outcome = await sendCase(options.port, fuzzCase);
      const label = outcomeLabel(outcome);
      const byOutcome = counts.get(fuzzCase.kind) ?? new Map<string, number>();
      byOutcome.set(label, (byOutcome.get(label) ?? 0) + 1);
      counts.set(fuzzCase.kind, byOutcome);
      const why = judge(fuzzCase, outcome);
      if (why !== undefined) failures.push({ seed: fuzzCase.seed, index: fuzzCase.index, kind: fuzzCase.kind, outcome: label, why, known: options.known?.(fuzzCase, why) ?? false });
      done++;
      options.onProgress?.(done);
      if (!processState(options.pid).alive) crashed = true;
      else if (done % options.probeEvery === 0) await probeRound();
    }
  }));
  const latency = await load.stop();
  if (!crashed) await probeRound();
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 1000));
  const after = processState(options.pid);
  return {
    seed: options.seed,
    casesRun: done,
    counts,
    failures,
    hangs: failures.filter((f) => f.outcome === 'hang').length,
    probeRounds,
    probeFailures,
    crashed: crashed || !after.alive,
    rssColdKb,
    rssBeforeKb,
    rssAfterKb: after.rssKb,
    latency: { count: latency.samplesMs.length, p50Ms: percentile(latency.samplesMs, 50), p99Ms: percentile(latency.samplesMs, 99), maxMs: percentile(latency.samplesMs, 100), errors: latency.errors },
    durationMs: performance.now() - started,
  };
}
