/**
 * Decides whether a request may run on the main-thread (inline) engine: only when the server is
 * quiet, so that the event loop, which every protocol shares, is never busy with a model run
 * while other requests are arriving.
 *
 * Contract: `admits(rows)` is called once per arriving request (it records the arrival) and is
 * true when `rows` is at most `maxRows` and the previous arrival was at least twice the recent
 * inline run time ago (an exponential average of `recordRun`). At one request in flight that
 * holds; under concurrent load arrivals are closer than a run and requests go to the workers.
 * The caller still checks that no worker is busy and nothing is queued.
 */
import type { Clock } from './clock';

/** Weight of the newest run in the average. */
const SMOOTHING = 0.2;

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
    this.runMicros = this.runMicros === 0 ? micros : this.runMicros + SMOOTHING * (micros - this.runMicros);
  }

  /** The average inline run time the gate currently uses, microseconds. */
  get averageRunMicros(): number {
    return this.runMicros;
  }
}
