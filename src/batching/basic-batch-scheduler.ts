/**
 * `BasicBatchScheduler`: one FIFO queue per model, at most `maxRunsInFlight` batches running at
 * once, batches formed when a run slot is free (TensorFlow's BasicBatchScheduler, Triton's
 * dynamic batcher).
 *
 * A batch is the FIFO prefix of queued tasks whose rows fit in `maxBatchSize` (the longest prefix
 * that hits a `preferredBatchSizes` entry exactly, when set), and with `canMerge` only tasks
 * that can merge with the first one (asked only when a second task is considered). Without
 * preferred sizes or a merge window (D below), while several slots are free a batch takes about
 * its share of the queued rows (ceil(queued rows / free slots), at least one task), so tasks that
 * arrived together run on every free slot at once instead of one slot taking them all. With
 * `maxQueueDelayMicros` D = 0 a free slot runs at once: immediately by default, so a lone request
 * costs no timer, queue or copy;
 * with `startAtTurnEnd` (the server's setting) and merging on, once tasks have arrived
 * concurrently (a task found a run in flight or tasks queued) within the last
 * TURN_END_AFTER_CONCURRENCY_MICROS, at the end of the event-loop turn the task arrived in, with
 * every task that arrived in that turn (a closed loop of clients sends its requests in waves, read
 * in one turn: the wave is split over the free slots instead of its first request taking a slot
 * alone); a lone task after a quiet spell still starts at once. With D > 0 a free slot waits until
 * the rows reach `maxBatchSize` or a preferred size, or the oldest task has waited D.
 *
 * Latency contract: an accepted task with Q tasks ahead waits at most
 * D + ceil((Q + 1) / maxRunsInFlight) x T(maxBatchSize), T(n) being the run time for n rows. A
 * task beyond `maxQueueSize` is refused at once (UNAVAILABLE); one whose signal aborts while
 * queued is removed and reported through `onDrop`; so is one whose `lifetime` (core/call-lifetime.ts)
 * reports the client gone, or whose deadline passes while it is queued: one timer, armed for the
 * earliest deadline of the queued tasks, does that for all of them. With `maxQueueTimeMicros` M > 0 (Triton's
 * `default_timeout_microseconds`, REJECT) a task queued longer than M is dropped the same way with
 * UNAVAILABLE, so none starts after waiting more than M (plus timer resolution); and once the
 * rate at which a backlog drains has been measured (rows per µs between run completions while
 * tasks were queued, averaged), a task arriving behind a queue it would need more than M to get
 * through is refused at once with UNAVAILABLE instead of being refused M later: under overload
 * the requests that cannot be served in time are answered at arrival.
 */
import { Code, ServingError, cancelled, deadlineExceeded, invalidArgument, unavailable } from '../core/errors';
import type { BatchScheduler, BatchTask } from './batch-scheduler';
import type { Clock, TimerHandle } from './clock';

export interface ScheduledBatch<T> {
  readonly tasks: readonly T[];
  readonly rows: number;
  /** Per task: time from `schedule` to the start of this batch, microseconds. */
  readonly queueMicros: readonly number[];
}

export interface BasicBatchSchedulerOptions<T extends BatchTask> {
  /** Name used in error messages ("queue full for model ..."). */
  readonly name: string;
  readonly maxBatchSize: number;
  readonly maxQueueDelayMicros: number;
  readonly preferredBatchSizes: readonly number[];
  readonly maxQueueSize: number;
  /** Most time a task may wait in the queue, µs, before it is rejected with UNAVAILABLE; 0 = no limit. Default 0. */
  readonly maxQueueTimeMicros?: number;
  readonly maxRunsInFlight: number;
  /** false: every batch holds exactly one task (batching off, admission control still on). */
  readonly mergeTasks: boolean;
  /** Whether `next` may share a batch with `first` (the batch's first task); omitted: any tasks merge. */
  readonly canMerge?: (first: T, next: T) => boolean;
  readonly clock: Clock;
  /** Runs one batch; must settle every task itself. A rejection is ignored (the slot frees). */
  readonly processBatch: (batch: ScheduledBatch<T>) => Promise<void>;
  /** A queued task was dropped (its signal aborted): settle it with `reason`. */
  readonly onDrop: (task: T, reason: ServingError) => void;
  /**
   * With `mergeTasks`, no merge window, and tasks seen arriving concurrently lately: a task that
   * finds a free slot starts at the end of the event-loop turn (`clock.afterTurn`) with the tasks
   * that arrived after it in the same turn. Default false: it starts at once.
   */
  readonly startAtTurnEnd?: boolean;
}

interface QueuedTask<T> {
  readonly task: T;
  readonly enqueuedAtMicros: number;
  /** When the task's lifetime deadline passes (clock µs); Infinity without one. */
  readonly deadlineMicros: number;
  dropped: boolean;
  onAbort?: () => void;
}

/** The ServingError for an aborted signal: its reason when it is one, else by kind. */
export function abortReason(signal: AbortSignal): ServingError {
  const reason: unknown = signal.reason;
  if (reason instanceof ServingError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return deadlineExceeded('deadline expired before the request reached a worker');
  return cancelled('the request was cancelled before it reached a worker');
}

/** How long after a task arrived concurrently free slots keep starting at the end of the turn (`startAtTurnEnd`), µs. */
export const TURN_END_AFTER_CONCURRENCY_MICROS = 10_000;

/** Weight of the newest sample in the drain-rate moving average. */
const DRAIN_AVERAGE_WEIGHT = 0.25;

export class BasicBatchScheduler<T extends BatchTask> implements BatchScheduler<T> {
  private queue: Array<QueuedTask<T>> = [];
  private head = 0;
  private queuedTasks = 0;
  private queuedRows = 0;
  private inFlight = 0;
  private runningTasks = 0;
  private timer: TimerHandle | undefined;
  /** Fires when the oldest queued task passes `maxQueueTimeMicros`. */
  private expiryTimer: TimerHandle | undefined;
  /** Fires at `deadlineTimerAtMicros`, the earliest lifetime deadline among queued tasks when armed (it may have left the queue since). */
  private deadlineTimer: TimerHandle | undefined;
  private deadlineTimerAtMicros = Number.POSITIVE_INFINITY;
  private readonly maxQueueTimeMicros: number;
  /** Rows per µs a backlog drains at (moving average over run completions with tasks queued); 0 until measured. */
  private drainRowsPerMicro = 0;
  /** When the last run completed while tasks were queued; -1 when the queue was empty then. */
  private lastBacklogCompletionMicros = -1;
  private closed = false;
  /** A dispatch is due at the end of this event-loop turn (`startAtTurnEnd`). */
  private turnDispatchPending = false;
  /** When a task last arrived while a run was in flight or tasks were queued (clock µs). */
  private lastConcurrentArrivalMicros = Number.NEGATIVE_INFINITY;
  private readonly turnDispatch = () => {
    this.turnDispatchPending = false;
    this.dispatch();
  };
  private drainWaiters: Array<() => void> = [];
  private readonly preferred: ReadonlySet<number>;
  private readonly largestPreferred: number;

  private constructor(private readonly options: BasicBatchSchedulerOptions<T>) {
    this.preferred = new Set(options.preferredBatchSizes);
    this.largestPreferred = Math.max(0, ...options.preferredBatchSizes);
    this.maxQueueTimeMicros = options.maxQueueTimeMicros ?? 0;
  }

  static create<T extends BatchTask>(options: BasicBatchSchedulerOptions<T>): BasicBatchScheduler<T> {
    const problems: string[] = [];
    if (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1) problems.push(`maxBatchSize must be a positive integer; got ${options.maxBatchSize}`);
    if (!Number.isSafeInteger(options.maxRunsInFlight) || options.maxRunsInFlight < 1) problems.push(`maxRunsInFlight must be a positive integer; got ${options.maxRunsInFlight}`);
    if (!Number.isSafeInteger(options.maxQueueSize) || options.maxQueueSize < 0) problems.push(`maxQueueSize must be an integer >= 0; got ${options.maxQueueSize}`);
    if (!Number.isFinite(options.maxQueueDelayMicros) || options.maxQueueDelayMicros < 0) problems.push(`maxQueueDelayMicros must be >= 0; got ${options.maxQueueDelayMicros}`);
    const maxQueueTime = options.maxQueueTimeMicros ?? 0;
    if (!Number.isFinite(maxQueueTime) || maxQueueTime < 0) problems.push(`maxQueueTimeMicros must be >= 0; got ${maxQueueTime}`);
    if (problems.length > 0) throw new Error(problems.join('; '));
    return new BasicBatchScheduler(options);
  }

  schedule(task: T): void {
    const o = this.options;
    if (this.closed) throw unavailable('server is stopping; not accepting new requests');
    if (task.size > o.maxBatchSize) throw invalidArgument(`task has ${task.size} rows; max batch size is ${o.maxBatchSize}`);
    if (task.signal?.aborted) throw abortReason(task.signal);
    const remainingMs = task.lifetime === undefined ? Number.POSITIVE_INFINITY : task.lifetime.remainingMs();
    if (remainingMs <= 0) throw deadlineExceeded('deadline expired before the request reached a worker');
    const startsAtTurnEnd = o.startAtTurnEnd === true && o.mergeTasks && o.maxQueueDelayMicros === 0 && this.turnEndWanted();
    // Fast path: nothing queued and a slot free, and no reason to wait for company.
    if (this.queuedTasks === 0 && this.inFlight < o.maxRunsInFlight
      && (!o.mergeTasks || (o.maxQueueDelayMicros === 0 && !startsAtTurnEnd) || task.size >= o.maxBatchSize || this.preferred.has(task.size))) {
      this.start([task], task.size, [0]);
      return;
    }
    // Tasks waiting for the turn end take the free slots then: the queue holds the ones beyond them.
    const slotsAtTurnEnd = startsAtTurnEnd ? Math.max(0, o.maxRunsInFlight - this.inFlight) : 0;
    if (this.queuedTasks >= o.maxQueueSize + slotsAtTurnEnd) {
      throw new ServingError(Code.UNAVAILABLE, `queue full for model "${o.name}" (maxQueueSize=${o.maxQueueSize}); retry later`);
    }
    this.refuseWhenTooFarBehind(task.size);
    const now = o.clock.nowMicros();
    const queued: QueuedTask<T> = { task, enqueuedAtMicros: now, deadlineMicros: now + remainingMs * 1000, dropped: false };
    const signal = task.signal;
    if (task.lifetime !== undefined) {
      task.lifetime.onClientGone((reason) => this.drop(queued, reason));
      if (queued.deadlineMicros < this.deadlineTimerAtMicros) this.armDeadlineTimer(queued.deadlineMicros);
    } else if (signal !== undefined) {
      queued.onAbort = () => this.drop(queued, abortReason(signal));
      signal.addEventListener('abort', queued.onAbort, { once: true });
    }
    this.queue.push(queued);
    this.queuedTasks++;
    this.queuedRows += task.size;
    if (startsAtTurnEnd && this.inFlight < o.maxRunsInFlight) {
      // A free slot: start at the end of this turn, with whatever else arrives in it.
      if (!this.turnDispatchPending) {
        this.turnDispatchPending = true;
        o.clock.afterTurn(this.turnDispatch);
      }
      return;
    }
    this.dispatch();
  }

  /**
   * Records an arrival for `startAtTurnEnd`: true when tasks arrived concurrently within the last
   * TURN_END_AFTER_CONCURRENCY_MICROS (this one counts when it finds a run in flight or tasks queued).
   */
  private turnEndWanted(): boolean {
    const now = this.options.clock.nowMicros();
    if (this.inFlight > 0 || this.queuedTasks > 0) this.lastConcurrentArrivalMicros = now;
    return now - this.lastConcurrentArrivalMicros < TURN_END_AFTER_CONCURRENCY_MICROS;
  }

  /** With a queue-time limit and a measured drain rate: refuses a task the queued rows ahead would hold past the limit. */
  private refuseWhenTooFarBehind(size: number): void {
    const max = this.maxQueueTimeMicros;
    if (max === 0 || this.drainRowsPerMicro === 0 || this.queuedTasks === 0) return;
    const expectedWaitMicros = (this.queuedRows + size) / this.drainRowsPerMicro;
    if (expectedWaitMicros <= max) return;
    throw new ServingError(Code.UNAVAILABLE,
      `queue for model "${this.options.name}" holds ${this.queuedRows} rows, about ${Math.round(expectedWaitMicros)} µs of work at the measured ` +
      `${Math.round(this.drainRowsPerMicro * 1e6)} rows/s, more than max_queue_time_micros=${max}; retry later`);
  }

  /** Folds a run's completion into the drain rate when a backlog was waiting behind it. */
  private measureDrain(rows: number): void {
    if (this.maxQueueTimeMicros === 0) return;
    if (this.queuedTasks === 0) {
      this.lastBacklogCompletionMicros = -1;
      return;
    }
    const now = this.options.clock.nowMicros();
    const since = this.lastBacklogCompletionMicros;
    this.lastBacklogCompletionMicros = now;
    if (since < 0 || now <= since) return;
    const sample = rows / (now - since);
    this.drainRowsPerMicro = this.drainRowsPerMicro === 0 ? sample : this.drainRowsPerMicro + DRAIN_AVERAGE_WEIGHT * (sample - this.drainRowsPerMicro);
  }

  /** True when nothing is queued or running and a task of `size` rows would not wait for a merge window (`maxQueueDelayMicros`). */
  isIdleFor(size: number): boolean {
    const o = this.options;
    return !this.closed && this.queuedTasks === 0 && this.inFlight === 0
      && (!o.mergeTasks || o.maxQueueDelayMicros === 0 || size >= o.maxBatchSize || this.preferred.has(size));
  }

  numEnqueuedTasks(): number {
    return this.queuedTasks;
  }

  /** Tasks accepted and not finished: queued plus those in running batches. */
  numPendingTasks(): number {
    return this.queuedTasks + this.runningTasks;
  }

  schedulingCapacity(): number {
    if (this.closed) return 0;
    // Free slots take queued tasks only at the turn end (startAtTurnEnd); otherwise a queue means none is free.
    const freeSlots = this.queuedTasks === 0 || this.turnDispatchPending ? this.options.maxRunsInFlight - this.inFlight : 0;
    return Math.max(0, Math.max(0, freeSlots) + this.options.maxQueueSize - this.queuedTasks);
  }

  /** Refuses new tasks; resolves when every queued and running task has finished. */
  close(): Promise<void> {
    this.closed = true;
    this.dispatch();
    if (this.queuedTasks === 0 && this.inFlight === 0) {
      this.settleDrain();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private drop(queued: QueuedTask<T>, reason: ServingError): void {
    if (!this.remove(queued, reason)) return;
    this.dispatch(); // clears the delay timer when the queue emptied
    this.settleDrain();
  }

  /** Takes a queued task out and settles it through `onDrop`; false when it was already gone. */
  private remove(queued: QueuedTask<T>, reason: ServingError): boolean {
    if (queued.dropped) return false;
    queued.dropped = true;
    if (queued.onAbort !== undefined) queued.task.signal?.removeEventListener('abort', queued.onAbort);
    queued.task.lifetime?.onClientGone(undefined);
    this.queuedTasks--;
    this.queuedRows -= queued.task.size;
    this.options.onDrop(queued.task, reason);
    return true;
  }

  /** Rejects every queued task that has waited more than `maxQueueTimeMicros` (a FIFO prefix). */
  private expireWaiting(): void {
    const max = this.maxQueueTimeMicros;
    if (max === 0 || this.queuedTasks === 0) return;
    const now = this.options.clock.nowMicros();
    for (let i = this.head; i < this.queue.length && this.queuedTasks > 0; i++) {
      const queued = this.queue[i];
      if (queued.dropped) continue;
      const waited = now - queued.enqueuedAtMicros;
      if (waited <= max) break; // later tasks were enqueued later
      this.remove(queued, new ServingError(Code.UNAVAILABLE,
        `request waited ${Math.round(waited)} µs in the queue for model "${this.options.name}" (max_queue_time_micros=${max}); retry later`));
    }
  }

  /**
   * (Re-)arms the one lifetime-deadline timer for `atMicros`. It is left armed when the queue
   * empties (a timer per queue episode would cost more than a spurious wake-up) and cleared on close.
   */
  private armDeadlineTimer(atMicros: number): void {
    const clock = this.options.clock;
    if (this.deadlineTimer !== undefined) clock.clearTimer(this.deadlineTimer);
    this.deadlineTimerAtMicros = atMicros;
    this.deadlineTimer = clock.setTimer(() => this.expireDeadlines(), Math.max(1, atMicros - clock.nowMicros() + 1));
  }

  /** Drops every queued task whose lifetime deadline has passed; re-arms for the earliest one left. */
  private expireDeadlines(): void {
    this.deadlineTimer = undefined;
    this.deadlineTimerAtMicros = Number.POSITIVE_INFINITY;
    const now = this.options.clock.nowMicros();
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.queue.length && this.queuedTasks > 0; i++) {
      const queued = this.queue[i];
      if (queued.dropped) continue;
      if (queued.deadlineMicros <= now) {
        this.remove(queued, deadlineExceeded(`deadline expired after ${((now - queued.enqueuedAtMicros) / 1000).toFixed(1)} ms in the queue for model "${this.options.name}", before the request reached a worker`));
      } else if (queued.deadlineMicros < next) next = queued.deadlineMicros;
    }
    if (next !== Number.POSITIVE_INFINITY && !this.closed) this.armDeadlineTimer(next);
    this.dispatch();
    this.settleDrain();
  }

  /** Keeps one timer armed for the oldest queued task's queue-time limit while tasks are queued. */
  private armExpiryTimer(): void {
    const o = this.options;
    if (this.maxQueueTimeMicros === 0) return;
    this.skipDropped();
    if (this.queuedTasks === 0) {
      if (this.expiryTimer !== undefined) o.clock.clearTimer(this.expiryTimer);
      this.expiryTimer = undefined;
      return;
    }
    if (this.expiryTimer !== undefined) return;
    const waited = o.clock.nowMicros() - this.queue[this.head].enqueuedAtMicros;
    // +1: a task is rejected once it has waited MORE than the limit.
    this.expiryTimer = o.clock.setTimer(() => {
      this.expiryTimer = undefined;
      this.dispatch();
      this.settleDrain();
    }, Math.max(1, this.maxQueueTimeMicros - waited + 1));
  }

  private dispatch(): void {
    const o = this.options;
    this.expireWaiting();
    while (this.inFlight < o.maxRunsInFlight) {
      this.skipDropped();
      if (this.queuedTasks === 0) break;
      const waitMicros = this.waitBeforeRunning();
      if (waitMicros > 0) {
        if (this.timer === undefined) {
          this.timer = o.clock.setTimer(() => {
            this.timer = undefined;
            this.dispatch();
          }, waitMicros);
        }
        break;
      }
      this.takeBatch();
    }
    if (this.queuedTasks === 0 && this.timer !== undefined) {
      o.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    this.armExpiryTimer();
  }

  /** 0 when a batch should run now; otherwise how long the oldest task still has to wait. */
  private waitBeforeRunning(): number {
    const o = this.options;
    if (!o.mergeTasks || o.maxQueueDelayMicros === 0 || this.closed) return 0;
    if (this.queuedRows >= o.maxBatchSize) return 0;
    if (this.largestPreferred > 0 && this.preferredPrefixLength() > 0) return 0;
    const waited = o.clock.nowMicros() - this.queue[this.head].enqueuedAtMicros;
    return Math.max(0, o.maxQueueDelayMicros - waited);
  }

  /** Number of live queued tasks (from the head) whose rows add up to a preferred size; 0 if none. */
  private preferredPrefixLength(): number {
    let rows = 0;
    let taken = 0;
    let best = 0;
    for (let i = this.head; i < this.queue.length; i++) {
      const queued = this.queue[i];
      if (queued.dropped) continue;
      if (rows + queued.task.size > this.options.maxBatchSize) break;
      rows += queued.task.size;
      taken++;
      if (this.preferred.has(rows)) best = taken;
    }
    return best;
  }

  private takeBatch(): void {
    const o = this.options;
    const limit = !o.mergeTasks ? 1 : this.largestPreferred > 0 ? this.preferredPrefixLength() || Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
    // Several free slots, no merge window and no preferred sizes: this batch takes its share of the
    // queued rows. (A merge window or preferred sizes ask for batches as large as they come.)
    const freeSlots = o.maxRunsInFlight - this.inFlight;
    const shareRows = freeSlots > 1 && o.maxQueueDelayMicros === 0 && this.largestPreferred === 0 ? Math.ceil(this.queuedRows / freeSlots) : Number.MAX_SAFE_INTEGER;
    const now = o.clock.nowMicros();
    const tasks: T[] = [];
    const queueMicros: number[] = [];
    let rows = 0;
    while (this.head < this.queue.length && tasks.length < limit) {
      const queued = this.queue[this.head];
      if (!queued.dropped) {
        if (tasks.length > 0 && (rows + queued.task.size > o.maxBatchSize || rows >= shareRows)) break;
        if (tasks.length > 0 && o.canMerge !== undefined && !o.canMerge(tasks[0], queued.task)) break;
        if (queued.onAbort !== undefined) queued.task.signal?.removeEventListener('abort', queued.onAbort);
        queued.task.lifetime?.onClientGone(undefined);
        tasks.push(queued.task);
        queueMicros.push(Math.max(0, now - queued.enqueuedAtMicros));
        rows += queued.task.size;
        this.queuedTasks--;
        this.queuedRows -= queued.task.size;
      }
      this.head++;
    }
    this.compact();
    if (tasks.length > 0) this.start(tasks, rows, queueMicros);
  }

  private skipDropped(): void {
    while (this.head < this.queue.length && this.queue[this.head].dropped) this.head++;
    this.compact();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private start(tasks: T[], rows: number, queueMicros: number[]): void {
    this.inFlight++;
    this.runningTasks += tasks.length;
    const done = () => {
      this.measureDrain(rows);
      this.inFlight--;
      this.runningTasks -= tasks.length;
      this.dispatch();
      this.settleDrain();
    };
    let running: Promise<void>;
    try {
      running = this.options.processBatch({ tasks, rows, queueMicros });
    } catch {
      running = Promise.resolve();
    }
    running.then(done, done);
  }

  private settleDrain(): void {
    if (!this.closed || this.queuedTasks > 0 || this.inFlight > 0) return;
    if (this.deadlineTimer !== undefined) this.options.clock.clearTimer(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
