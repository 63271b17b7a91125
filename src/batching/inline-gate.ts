/**
 * Decides whether a request may run on the main-thread (inline) engine: only when the server is
 * quiet, so that the event loop, which every protocol shares, is never busy with a model run
 * while other requests are arriving.
 *
 * Contract: `admits(rows, idle)` is called once per arriving request (it records the arrival),
 * `idle` telling whether the engine has nothing queued or running. It is true when `rows` is at
 * most `maxRows` and the request shows no load and none was seen lately. A request shows load
 * when the engine is not idle, when the event loop has not turned since the last main-thread run
 * ended (`afterTurn`, setImmediate by default: requests read in that turn waited behind the run),
 * or when it arrived less than twice the recent run time of a small lone request after the
 * previous one. After a request that shows load, none is admitted for `quietAfterLoadMicros`
 * (default QUIET_AFTER_LOAD_MICROS): under a closed loop of concurrent clients the first request
 * of each wave finds the server idle, yet running it on the main thread delays reading the rest
 * of the wave and takes it out of their batch. At one request in flight no request shows load.
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
/** How long after a request that showed load the gate keeps refusing, microseconds. */
export const QUIET_AFTER_LOAD_MICROS = 10_000;

export class InlineGate {
  private lastArrivalMicros = Number.NEGATIVE_INFINITY;
  private lastLoadedArrivalMicros = Number.NEGATIVE_INFINITY;
  private runMicros = 0;
  /** A main-thread run ended and the event loop has not turned since. */
  private held = false;
  private readonly release = () => {
    this.held = false;
  };

  constructor(
    readonly maxRows: number,
    private readonly clock: Clock,
    private readonly afterTurn: (fn: () => void) => void = setImmediate,
    private readonly quietAfterLoadMicros = QUIET_AFTER_LOAD_MICROS,
  ) {}

  admits(rows: number, idle: boolean): boolean {
    const now = this.clock.nowMicros();
    const gap = now - this.lastArrivalMicros;
    this.lastArrivalMicros = now;
    if (!idle || this.held || gap < 2 * this.runMicros) {
      this.lastLoadedArrivalMicros = now;
      return false;
    }
    return rows <= this.maxRows && now - this.lastLoadedArrivalMicros >= this.quietAfterLoadMicros;
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
