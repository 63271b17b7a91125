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
  const onCancelled = () => controller.abort(cancelled('the client cancelled the call'));
  call.once('cancelled', onCancelled);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    const remaining = deadlineMs - Date.now();
    const expire = () =>
      controller.abort(deadlineExceeded(`deadline expired after ${(Date.now() - startedAtMs).toFixed(1)} ms in the server`));
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
