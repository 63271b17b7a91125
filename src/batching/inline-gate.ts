/**
 * Decides whether a request may run on the main-thread (inline) engine: only when the server is
 * quiet, so that the event loop, which every protocol shares, is never busy with a model run
 * while other requests are arriving.
 *
 * Contract: `admits(rows)` is called once per arriving request (it records the arrival) and is
 * true when `rows` is at most `maxRows`, the previous arrival was at least twice the recent run
 * time of a small lone request ago, and the event loop has turned since the last main-thread run
 * ended (`afterTurn`, setImmediate by default). At one request in flight both hold; under
 * concurrent load arrivals are closer than a run, and requests that waited while a main-thread run
 * blocked the event loop are read in the same turn, right after it ends, so they go to the
 * workers. The caller still checks that no worker is busy and nothing is queued.
 *
 * The run-time estimate is an exponential average fed by every small lone run: `recordInlineRun`
 * (a main-thread run that just ended; it also holds the gate until the loop turns) and
 * `recordWorkerRun`, so it keeps following the run time while the gate refuses. One sample moves
 * it at most as far as OUTLIER_FACTOR times the current estimate, so a stall (a GC pause, the
 * thread descheduled) cannot keep requests off the main thread.
 */
import type { Clock } from './clock';

/** Weight of the newest run in the average. */
const SMOOTHING = 0.2;
/** A sample counts as at most this many times the current estimate. */
const OUTLIER_FACTOR = 4;

export class InlineGate {
  private lastArrivalMicros = Number.NEGATIVE_INFINITY;
  private runMicros = 0;
  /** A main-thread run ended and the event loop has not turned since. */
  private held = false;
  private readonly release = () => {
    this.held = false;
  };

  constructor(readonly maxRows: number, private readonly clock: Clock, private readonly afterTurn: (fn: () => void) => void = setImmediate) {}

  admits(rows: number): boolean {
    const now = this.clock.nowMicros();
    const gap = now - this.lastArrivalMicros;
    this.lastArrivalMicros = now;
    return rows <= this.maxRows && !this.held && gap >= 2 * this.runMicros;
  }

  /** A main-thread run of `micros` that ended now. */
  recordInlineRun(micros: number): void {
    if (!this.held) {
      this.held = true;
      this.afterTurn(this.release);
    }
    this.record(micros);
  }

  /** A small lone run of `micros` on a worker. */
  recordWorkerRun(micros: number): void {
    this.record(micros);
  }

  /** The average run time the gate currently uses, microseconds. */
  get averageRunMicros(): number {
    return this.runMicros;
  }

  private record(micros: number): void {
    if (this.runMicros === 0) {
      this.runMicros = micros;
      return;
    }
    const sample = Math.min(micros, OUTLIER_FACTOR * this.runMicros);
    this.runMicros += SMOOTHING * (sample - this.runMicros);
  }
}
