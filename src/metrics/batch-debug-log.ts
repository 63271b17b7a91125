/**
 * `--log_level debug`: one line per batch the batcher ran (how many requests were merged into
 * how many rows, on a worker or on the main thread, how long they waited including the hand-off
 * to the worker, merge / run / split times) and one per request dropped from the queue.
 *
 * Contract: `withBatchDebugLog(observer, model, logger)` returns an observer that forwards to
 * `observer` and logs at debug; callers wrap only when the level is debug, so the fast path
 * pays nothing otherwise.
 */
import { Code } from '../core/errors';
import type { BatchObserver } from '../batching/batching-engine';
import type { Logger } from '../logging/logger';

export function withBatchDebugLog(observer: BatchObserver, model: string, logger: Logger): BatchObserver {
  return {
    batchExecuted(execution) {
      observer.batchExecuted(execution);
      const waits = execution.queueMicros;
      const maxWait = waits.length === 0 ? 0 : Math.max(...waits);
      logger.debug(`batch ran: ${execution.requests} request(s) merged into ${execution.rows} row(s) on ${execution.onMainThread === true ? 'the main thread (no hand-off)' : 'a worker'}${execution.ok ? '' : ', failed'}`, {
        model,
        requests: execution.requests,
        rows: execution.rows,
        worker: execution.onMainThread !== true,
        ok: execution.ok,
        queue_and_handoff_us_max: Math.round(maxWait),
        merge_us: Math.round(execution.computeInputMicros),
        run_us: Math.round(execution.computeInferMicros),
        split_us: Math.round(execution.computeOutputMicros),
      });
    },
    requestDropped(code) {
      observer.requestDropped(code);
      logger.debug(`queued request dropped before running: ${Code[code] ?? code}`, { model });
    },
  };
}
