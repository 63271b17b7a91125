/**
 * Decides whether a request may run on the main-thread (inline) engine: only when the server is
 * quiet, so that the event loop, which every protocol shares, is never busy with a model run
 * while other requests are arriving.
 *
 * Contract: `admits(rows)` is called once per arriving request (it records the arrival) and is
 * true when `rows` is at most `maxRows` and the previous arrival was at least twice the recent
 * run time of a small lone request ago. At one request in flight that holds; under concurrent
 * load arrivals are closer than a run and requests go to the workers. The caller still checks
 * that no worker is busy and nothing is queued.
 *
 * `recordRun(micros)` feeds the estimate (an exponential average) with every small lone run,
 * inline or on a worker, so it keeps following the run time while the gate refuses; one sample
 * moves it at most as far as OUTLIER_FACTOR times the current estimate, so a stall (a GC pause,
 * the thread descheduled) cannot keep requests off the main thread.
 */
import type { Clock } from './clock';

/** Weight of the newest run in the average. */
const SMOOTHING = 0.2;
/** A sample counts as at most this many times the current estimate. */
const OUTLIER_FACTOR = 4;

export class InlineGate {
  private lastArrivalMicros = Number.NEGATIVE_INFINITY;
  private runMicros = 0;

  constructor(readonly maxRows: number, private readonly clock: Clock) {}

  admits(rows: number): boolean {
    const now = this.clock.nowMicros();
    const gap = now - this.lastArrivalMicros;
    this.lastArrivalMicros = now;
    return rows <= this.maxRows && gap >= 2 * this.runMicros;
  }

  recordRun(micros: number): void {
    if (this.runMicros === 0) {
      this.runMicros = micros;
      return;
    }
    const sample = Math.min(micros, OUTLIER_FACTOR * this.runMicros);
    this.runMicros += SMOOTHING * (sample - this.runMicros);
  }

  /** The average inline run time the gate currently uses, microseconds. */
  get averageRunMicros(): number {
    return this.runMicros;
  }
}
