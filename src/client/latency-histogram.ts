/**
 * Latency recording for rec-client and the benchmarks: an HdrHistogram (hdr-histogram-js) in microseconds with
 * 3 significant digits, and the summary every table prints.
 *
 * Contract: `record(micros)` accepts any non-negative finite number (rounded to whole µs, values
 * below 1 µs count as 1 µs, above one hour are clamped); `summary()` gives count, mean and the
 * percentiles perf_analyzer reports, all in microseconds (zeros when nothing was recorded).
 * Memory is fixed whatever the number of samples (~185 KB: 64-bit counts, exact up to 2^53 per
 * bucket), so a run under `--duration_s` does not grow. Counts are a plain Float64Array, not
 * hdr-histogram-js's packed array, whose record costs ~5x as much (0.4 against 0.08 µs in a
 * tight loop; 1.5–1.9 µs of rec-client's CPU per call at 16 in flight in a CPU profile).
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  readonly count: number;
  readonly meanMicros: number;
  readonly p50Micros: number;
  readonly p90Micros: number;
  readonly p95Micros: number;
  readonly p99Micros: number;
  readonly maxMicros: number;
}

const HIGHEST_MICROS = 3_600_000_000;

export class LatencyHistogram {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3, bitBucketSize: 64 });

  record(micros: number): void {
    if (!Number.isFinite(micros) || micros < 0) throw new RangeError(`latency must be a non-negative finite number of microseconds; got ${micros}`);
    this.histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, Math.round(micros))));
  }

  /** Adds every value of `other` into this histogram. */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, meanMicros: 0, p50Micros: 0, p90Micros: 0, p95Micros: 0, p99Micros: 0, maxMicros: 0 };
    return {
      count: h.totalCount,
      meanMicros: h.mean,
      p50Micros: h.getValueAtPercentile(50),
      p90Micros: h.getValueAtPercentile(90),
      p95Micros: h.getValueAtPercentile(95),
      p99Micros: h.getValueAtPercentile(99),
      maxMicros: h.maxValue,
    };
  }
}

/** Mean of a list (0 for an empty list). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
