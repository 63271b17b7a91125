/**
 * The batch scheduler interface, named after TensorFlow's `BatchScheduler`: tasks go in one at a
 * time, and come out grouped into batches that a processor runs.
 *
 * Contract:
 * - `schedule(task)` either accepts the task (it will later be part of exactly one batch given
 *   to the processor, or dropped through `onDrop` because its signal aborted (or its lifetime's deadline passed or
 *   client went away) while queued or it
 *   waited longer than the scheduler's queue-time limit) or
 *   throws a ServingError at once: UNAVAILABLE when the queue is full or the scheduler is closed,
 *   INVALID_ARGUMENT when the task is larger than the max batch size.
 * - Batches keep FIFO order: tasks of one batch are given in the order they were scheduled, and
 *   a task never runs before a task scheduled earlier that is still queued.
 */
import type { CallLifetime } from '../core/call-lifetime';

export interface BatchTask {
  /** Rows this task adds to a batch (>= 1). */
  readonly size: number;
  /** Aborted when the caller went away or its deadline passed; a queued task is then dropped. */
  readonly signal?: AbortSignal;
  /** The same without an AbortSignal (core/call-lifetime.ts): the scheduler tracks the deadline itself. */
  readonly lifetime?: CallLifetime;
}

export interface BatchScheduler<T extends BatchTask> {
  /** Queues the task or throws (UNAVAILABLE when full, INVALID_ARGUMENT when too large). */
  schedule(task: T): void;
  /** Tasks waiting for a batch (not counting batches already running). */
  numEnqueuedTasks(): number;
  /** How many more tasks `schedule` accepts right now. */
  schedulingCapacity(): number;
}
