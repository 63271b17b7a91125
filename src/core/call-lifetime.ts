/**
 * A caller's lifetime as a queued request needs it, without an AbortSignal: how long the caller
 * still waits, and a way to hear that it went away.
 *
 * Contract: a transport that can tell both cheaply (e.g. one HTTP/2 stream) implements it and
 * hands it down with the request (`PredictContext.lifetime`); the batcher then keeps one timer for
 * the earliest deadline of all queued requests instead of an AbortController and a timer per
 * request (measured: both per queued call were ~15% of the server's CPU per call at 16 batch-5
 * calls in flight). Where a context has both, `lifetime` is used and `signal` is never read (so it
 * is never created).
 * - `remainingMs()`: milliseconds until the caller's deadline (<= 0: passed; Infinity: none).
 * - `onClientGone(listener)`: the one function called, at most once, with a CANCELLED ServingError
 *   when the client goes away before it is answered; a later call replaces it, undefined clears it.
 *   Whoever sets a listener clears it when it no longer needs it.
 */
import type { ServingError } from './errors';

export interface CallLifetime {
  remainingMs(): number;
  onClientGone(listener: ((reason: ServingError) => void) | undefined): void;
}

/**
 * A CallLifetime for transports that learn of a departed client from an event (an HTTP response
 * or a connection closing): a fixed deadline (none by default), and `clientGone(reason)` for the
 * transport to call, which reaches the current listener once.
 */
export class NotifiedLifetime implements CallLifetime {
  private listener: ((reason: ServingError) => void) | undefined;

  constructor(private readonly deadlineEpochMs = Number.POSITIVE_INFINITY) {}

  remainingMs(): number {
    return this.deadlineEpochMs - Date.now();
  }

  onClientGone(listener: ((reason: ServingError) => void) | undefined): void {
    this.listener = listener;
  }

  clientGone(reason: ServingError): void {
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
  }
}
