/**
 * Options of the dynamic batcher, with units in their names and TF Serving / Triton meanings,
 * and the one validation that checks them all.
 *
 * Contract: `validateBatchingOptions` returns a frozen copy or throws one Error listing every
 * problem, each naming the option, the constraint and the actual value.
 */

export interface BatchingOptions {
  /**
   * Merge concurrent requests into one engine run (default true). When false, every run carries
   * exactly one request, but the queue bound, deadline and cancellation checks still apply.
   */
  readonly enabled: boolean;
  /** Most rows in one engine run (Triton max_batch_size, TF max_batch_size). Default 256. */
  readonly maxBatchSize: number;
  /**
   * How long a free run slot waits for more requests before running a batch that is not full,
   * microseconds. Default 0 = no timer: a free slot runs whatever is queued at the end of the
   * event-loop turn it arrived in (at once after a quiet spell; basic-batch-scheduler.ts), so
   * merging happens while every slot is busy and among requests read together.
   */
  readonly maxQueueDelayMicros: number;
  /**
   * Batch sizes (rows) to prefer: when the queued requests can form one of these exactly, the
   * largest such batch runs at once without waiting for the delay. Default [] (none).
   */
  readonly preferredBatchSizes: readonly number[];
  /**
   * Most queued tasks (requests waiting for a run slot; a request split over several runs counts
   * once per run) before new requests fail with UNAVAILABLE. Default 256. 0 = no queue: a request
   * that finds every run slot busy is refused.
   */
  readonly maxQueueSize: number;
  /**
   * Queue-policy timeout (Triton's `default_timeout_microseconds` with `timeout_action: REJECT`):
   * a request that has waited longer than this in the batcher's queue is rejected with
   * UNAVAILABLE instead of being run, so a backlog turns into fast refusals rather than
   * multi-second answers. Microseconds. Default 0 = off (wait however long it takes).
   */
  readonly maxQueueTimeMicros: number;
  /** Runs in flight at once (TF num_batch_threads); the composition root passes the worker count. */
  readonly maxRunsInFlight: number;
}

export const DEFAULT_BATCHING_OPTIONS: Omit<BatchingOptions, 'maxRunsInFlight'> = Object.freeze({
  enabled: true,
  maxBatchSize: 256,
  maxQueueDelayMicros: 0,
  preferredBatchSizes: Object.freeze([]) as readonly number[],
  maxQueueSize: 256,
  maxQueueTimeMicros: 0,
});

export function validateBatchingOptions(options: BatchingOptions): BatchingOptions {
  const problems: string[] = [];
  const integer = (name: keyof BatchingOptions, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min) problems.push(`${name} must be an integer >= ${min}; got ${String(value)}`);
  };
  integer('maxBatchSize', options.maxBatchSize, 1);
  integer('maxQueueDelayMicros', options.maxQueueDelayMicros, 0);
  integer('maxQueueSize', options.maxQueueSize, 0);
  integer('maxQueueTimeMicros', options.maxQueueTimeMicros, 0);
  integer('maxRunsInFlight', options.maxRunsInFlight, 1);
  for (const size of options.preferredBatchSizes) {
    if (!Number.isSafeInteger(size) || size < 1 || size > options.maxBatchSize) {
      problems.push(`preferredBatchSizes must be integers in 1..maxBatchSize (${options.maxBatchSize}); got ${String(size)}`);
    }
  }
  if (options.maxQueueTimeMicros > 0 && options.maxQueueTimeMicros <= options.maxQueueDelayMicros) {
    problems.push(`maxQueueTimeMicros (${options.maxQueueTimeMicros}) must be 0 (off) or larger than maxQueueDelayMicros (${options.maxQueueDelayMicros}), else every request that waits for a batch is rejected`);
  }
  if (problems.length > 0) throw new Error(`invalid batching options: ${problems.join('; ')}`);
  return Object.freeze({ ...options, preferredBatchSizes: Object.freeze([...options.preferredBatchSizes].sort((a, b) => a - b)) });
}
