/**
 * Turns a gRPC call's deadline and cancellation into one AbortSignal for the core, as connect-es
 * does, so that work for a caller who has gone never reaches a worker.
 *
 * Contract: the signal aborts with a DEADLINE_EXCEEDED ServingError when the deadline passes and
 * with a CANCELLED one when the client cancels; `dispose()` clears the timer.
 */
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { cancelled, deadlineExceeded } from '../core/errors';

export interface CallSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function signalForCall(call: ServerUnaryCall<unknown, unknown>, startedAtMs: number): CallSignal {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const expire = () =>
    controller.abort(deadlineExceeded(`deadline expired after ${(Date.now() - startedAtMs).toFixed(1)} ms in the server`));
  // grpc-js also emits 'cancelled' when the deadline passes (often before our timer fires).
  const onCancelled = () => (Number.isFinite(deadlineMs) && Date.now() >= deadlineMs ? expire() : controller.abort(cancelled('the client cancelled the call')));
  call.once('cancelled', onCancelled);
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) expire();
    else timer = setTimeout(expire, remaining);
  }
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
    },
  };
}
