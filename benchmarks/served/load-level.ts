/**
 * Runs one load level against a server and measures it in windows until it is stable
 * (perf_analyzer's rule, lib/stability.ts) or `maxWindows` have passed.
 *
 * Two load modes, as perf_analyzer has:
 * - closed loop (`concurrency`): N callers, each sends its next batch as soon as the previous
 *   answer came back; latency is the client's round trip.
 * - open loop (`rate`): requests start at Poisson-distributed times (exponential gaps, seeded)
 *   whatever the answers do; latency runs from the scheduled start, so a client or server that
 *   falls behind shows it (no coordinated omission). At most `maxInFlight` requests are
 *   outstanding; arrivals beyond that are counted as `droppedArrivals`, never silently lost.
 *
 * Contract: a request's completion is credited to the window in which it completes. One warm-up
 * window is measured and discarded first. The level's figures merge the last `rule.windows`
 * windows. Failures are counted by code and never stop the level.
 */
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../../src/core/errors';
import type { Batch } from '../../src/client/closed-loop-runner';
import type { PredictionTransport } from '../../src/client/prediction-transport';
import { SeededRandom } from '../../src/data/seeded-random';
import { isStable, type StabilityRule } from '../lib/stability';
import { summarizeWindows, WindowAccumulator, type LevelFigures } from './level-window';

export type LoadMode = { readonly kind: 'concurrency'; readonly concurrency: number } | { readonly kind: 'rate'; readonly requestsPerSecond: number };

export interface LevelOptions {
  readonly load: LoadMode;
  readonly windowMs: number;
  readonly maxWindows: number;
  readonly rule: StabilityRule;
  readonly fetch: readonly string[];
  /** Open loop only: most outstanding requests. */
  readonly maxInFlight?: number;
  readonly seed?: number;
}

export interface LevelResult extends LevelFigures {
  readonly load: LoadMode;
  readonly stable: boolean;
  readonly windowsMeasured: number;
  readonly droppedArrivals: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runLoadLevel(transport: PredictionTransport, batches: readonly Batch[], options: LevelOptions): Promise<LevelResult> {
  if (batches.length === 0) throw new Error('no batches to send');
  let current = new WindowAccumulator();
  let stopped = false;
  let next = 0;
  let inFlight = 0;
  let droppedArrivals = 0;

  const send = async (scheduledAt: number | undefined) => {
    const requestId = next++;
    const batch = batches[requestId % batches.length];
    inFlight++;
    try {
      const result = await transport.predict(batch.feed, options.fetch, requestId);
      const latency = scheduledAt === undefined ? result.clientMicros : (performance.now() - scheduledAt) * 1000;
      current.record(latency, batch.rows, result);
    } catch (error) {
      const serving = error instanceof ServingError ? error : ServingError.from(error);
      current.fail(Code[serving.code] ?? String(serving.code));
    } finally {
      inFlight--;
    }
  };

  const generators: Promise<void>[] = [];
  if (options.load.kind === 'concurrency') {
    for (let i = 0; i < Math.max(1, options.load.concurrency); i++) {
      generators.push((async () => { while (!stopped) await send(undefined); })());
    }
  } else {
    const rate = options.load.requestsPerSecond;
    if (!(rate > 0)) throw new RangeError(`request rate must be positive; got ${rate}`);
    const random = SeededRandom.create(options.seed ?? 1, 'arrivals');
    const gapMs = () => (-Math.log(1 - random.nextFloat()) / rate) * 1000;
    const maxInFlight = options.maxInFlight ?? 1024;
    const pending = new Set<Promise<void>>();
    generators.push((async () => {
      let nextAt = performance.now();
      while (!stopped) {
        const now = performance.now();
        while (nextAt <= now && !stopped) {
          if (inFlight >= maxInFlight) droppedArrivals++;
          else {
            const p = send(nextAt);
            pending.add(p);
            void p.finally(() => pending.delete(p));
          }
          nextAt += gapMs();
        }
        await sleep(nextAt - performance.now() - 0.5);
      }
      await Promise.all(pending);
    })());
  }

  const history: WindowAccumulator[] = [];
  const stats: { requestsPerSecond: number; meanLatencyMicros: number; seconds: number }[] = [];
  let windowStarted = performance.now();
  await sleep(options.windowMs); // warm-up window, discarded
  current = new WindowAccumulator();
  windowStarted = performance.now();
  let stable = false;
  while (history.length < options.maxWindows) {
    await sleep(windowStarted + options.windowMs - performance.now());
    const ended = performance.now();
    const finished = current;
    current = new WindowAccumulator();
    history.push(finished);
    const summary = finished.latency.summary();
    const seconds = (ended - windowStarted) / 1000;
    stats.push({ requestsPerSecond: finished.requests / seconds, meanLatencyMicros: summary.meanMicros, seconds });
    windowStarted = ended;
    if (isStable(stats, options.rule)) { stable = true; break; }
  }
  stopped = true;
  await Promise.all(generators);
  const counted = history.slice(-options.rule.windows);
  const seconds = stats.slice(-options.rule.windows).reduce((sum, w) => sum + w.seconds, 0);
  const figures = summarizeWindows(counted, seconds);
  return { ...figures, load: options.load, stable, windowsMeasured: history.length, droppedArrivals };
}
