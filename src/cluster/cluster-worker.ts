/**
 * The serving-process side of `rec-serve --processes N` (cluster-primary.ts has the primary).
 *
 * Contract: `announceReady(port)` tells the primary this process serves (no-op outside a
 * cluster); `onPrimaryGone(stop)` calls `stop` when the primary's IPC channel closes (the primary
 * was killed), so no serving process outlives it.
 */
import cluster from 'node:cluster';

export const READY_MESSAGE = 'rec-serving:ready';

export interface ReadyMessage {
  readonly type: typeof READY_MESSAGE;
  readonly port: number;
}

export function announceReady(port: number): void {
  if (!cluster.isWorker || process.send === undefined) return;
  const message: ReadyMessage = { type: READY_MESSAGE, port };
  process.send(message);
}

export function onPrimaryGone(stop: () => void): void {
  if (cluster.isWorker) process.once('disconnect', stop);
}
