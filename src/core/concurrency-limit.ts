/**
 * A per-process cap on requests handled at once (Paddle's `--max_concurrency`, brpc's
 * `ServerOptions.max_concurrency`): the core takes a slot for each prediction and gives it back
 * when the prediction settles, whatever the protocol it came in on.
 *
 * Contract:
 * - `ConcurrencyLimit.create(maxConcurrency)`: 0 means no cap (every `acquire` succeeds); a
 *   negative or non-integer value throws naming the value.
 * - `acquire()` returns a release function (idempotent) or throws UNAVAILABLE at once, never
 *   queues: `too many concurrent requests (max_concurrency=N); retry later`. Refusing instead of
 *   waiting is the point: the queues behind the cap (batcher, workers) are bounded already, and a
 *   caller over the cap is better served retrying elsewhere than waiting here.
 * - `refusal()` returns the error `acquire()` would throw now, without taking a slot (undefined
 *   when a slot is free): transports ask it before they read a body.
 * - `inFlight` is the number of slots taken now.
 */
import { Code, ServingError } from './errors';

export class ConcurrencyLimit {
  private taken = 0;

  private constructor(readonly maxConcurrency: number) {}

  static create(maxConcurrency: number): ConcurrencyLimit {
    if (!Number.isSafeInteger(maxConcurrency) || maxConcurrency < 0) {
      throw new Error(`maxConcurrency must be an integer >= 0 (0 = no cap); got ${String(maxConcurrency)}`);
    }
    return new ConcurrencyLimit(maxConcurrency);
  }

  get inFlight(): number {
    return this.taken;
  }

  refusal(): ServingError | undefined {
    if (this.maxConcurrency === 0 || this.taken < this.maxConcurrency) return undefined;
    return new ServingError(Code.UNAVAILABLE, `too many concurrent requests (max_concurrency=${this.maxConcurrency}); retry later`);
  }

  acquire(): () => void {
    const refused = this.refusal();
    if (refused !== undefined) throw refused;
    this.taken++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken--;
    };
  }
}
