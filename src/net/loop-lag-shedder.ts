/**
 * Sheds load when the event loop falls behind: every protocol runs on this one loop, so under
 * overload new requests wait in socket and HTTP/2 buffers before any queue sees them. A timer
 * that should fire every `intervalMs` measures how late it runs; a request that arrives while the
 * loop is more than `thresholdMs` behind (the last measured lateness, or the current tick's
 * overdue time, whichever is larger) is refused at once with UNAVAILABLE, which costs a fraction
 * of serving it, so the loop catches up and the requests it serves keep a bounded latency.
 *
 * Contract: `refusal()` returns the UNAVAILABLE ServingError to answer with, or undefined to
 * serve; it counts refusals (`shed`). `stop()` clears the timer. The timer is unref'd.
 */
import { performance } from 'node:perf_hooks';
import { ServingError, Code } from '../core/errors';

export class LoopLagShedder {
  private lastLagMs = 0;
  private dueAtMs: number;
  private readonly timer: NodeJS.Timeout;
  /** Requests refused so far. */
  shed = 0;

  private constructor(readonly thresholdMs: number, private readonly intervalMs: number) {
    this.dueAtMs = performance.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLagMs = Math.max(0, now - this.dueAtMs);
      this.dueAtMs = now + this.intervalMs;
    }, intervalMs);
    this.timer.unref();
  }

  /** `thresholdMs` > 0; the loop is sampled every `intervalMs` (default 5). */
  static start(thresholdMs: number, intervalMs = 5): LoopLagShedder {
    if (!(thresholdMs > 0)) throw new Error(`the loop-lag threshold must be > 0 ms; got ${thresholdMs}`);
    return new LoopLagShedder(thresholdMs, intervalMs);
  }

  /** How far behind the loop is now, milliseconds. */
  lagMs(): number {
    return Math.max(this.lastLagMs, performance.now() - this.dueAtMs);
  }

  refusal(): ServingError | undefined {
    const lag = this.lagMs();
    if (lag <= this.thresholdMs) return undefined;
    this.shed++;
    return new ServingError(Code.UNAVAILABLE, `server overloaded: its event loop is ${lag.toFixed(1)} ms behind (--shed_loop_lag_ms=${this.thresholdMs}); retry later`);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
