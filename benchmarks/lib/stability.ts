/**
 * perf_analyzer's stability rule for one load level: the level counts when the last `windows`
 * measurement windows agree, i.e. max/min of their throughput lies
 * within ±`tolerance` of their mean, and so does their average latency (perf_analyzer's default
 * latency measure; with --percentile it uses that percentile instead).
 *
 * Contract: pure. `isStable` is false until `windows` values exist; a window with zero
 * throughput is never stable (nothing was measured).
 */

export interface WindowStat {
  readonly requestsPerSecond: number;
  readonly meanLatencyMicros: number;
}

export interface StabilityRule {
  /** Windows that must agree. perf_analyzer: 3. */
  readonly windows: number;
  /** Allowed deviation from the windows' mean, a fraction. perf_analyzer: 0.10. */
  readonly tolerance: number;
  /** Whether average latency must agree too (perf_analyzer checks latency as well as throughput). */
  readonly checkLatency: boolean;
}

export const PERF_ANALYZER_RULE: StabilityRule = Object.freeze({ windows: 3, tolerance: 0.1, checkLatency: true });

function withinTolerance(values: readonly number[], tolerance: number): boolean {
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  if (!(avg > 0)) return false;
  return values.every((v) => Math.abs(v - avg) <= tolerance * avg);
}

export function isStable(history: readonly WindowStat[], rule: StabilityRule = PERF_ANALYZER_RULE): boolean {
  if (history.length < rule.windows) return false;
  const last = history.slice(-rule.windows);
  if (!withinTolerance(last.map((w) => w.requestsPerSecond), rule.tolerance)) return false;
  return !rule.checkLatency || withinTolerance(last.map((w) => w.meanLatencyMicros), rule.tolerance);
}
