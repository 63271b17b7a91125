/**
 * `BatchingEngine`: an `InferenceEngine` decorator that puts a `BasicBatchScheduler` in front of
 * another engine (the worker pool), so the core and the adapters do not change.
 *
 * Contract:
 * - At most `maxRunsInFlight` inner runs are in flight. While all are busy, requests queue (at
 *   most `maxQueueSize`; beyond that `run` rejects at once with UNAVAILABLE naming the limit).
 * - When a slot frees, queued requests (FIFO) are merged into one inner run, their feeds
 *   concatenated along rows into one buffer the inner engine may move (`feedsMovable`; a lone
 *   request's feeds only when its caller gave them up with `feedsMovable`), and the
 *   outputs split back by row ranges: each caller gets exactly its rows. Requests read in one
 *   event-loop turn start together at its end, split over the free slots, once requests have
 *   arrived concurrently lately (basic-batch-scheduler.ts `startAtTurnEnd`). A lone request runs
 *   with its own feeds (no copy, no timer).
 * - A request with more rows than `maxBatchSize` is split into runs of at most `maxBatchSize`
 *   rows (admitted all at once or refused), and its outputs reassembled in order.
 * - A request whose signal aborts while queued (or, with `options.lifetime` instead, whose deadline
 *   passes or whose client goes away) is dropped (DEADLINE_EXCEEDED / CANCELLED) and
 *   counted through `observer.requestDropped`; it never reaches the inner engine.
 * - With `maxQueueTimeMicros` > 0, a request that waits longer than that in the queue is dropped
 *   the same way with UNAVAILABLE (`request waited N µs in the queue ...; retry later`), and one
 *   arriving behind more queued work than that (at the measured drain rate) is refused at once
 *   with UNAVAILABLE (`queue for model ... holds R rows ...`), never queued.
 * - A failed inner run fails every request in it with the inner error (INTERNAL, cause kept).
 * - With `inline` set, a request of at most `inline.maxRows` rows that arrives while the server is
 *   quiet (inline-gate.ts: no load seen lately either), nothing is queued or running and the scheduler would start it at once
 *   (no merge window to wait in; no worker busy; the inline engine idle) runs on the inline engine
 *   (a main-thread session: no hand-off to a worker); it is counted as one executed run. Any
 *   other request takes the queue as above, so under load the workers do the work. Small lone
 *   runs on the workers feed the gate's run-time estimate too, so it recovers after a slow run.
 *   After a successful inline run the event loop keeps polling for `inline.pollMicros`
 *   (loop-poller.ts), so the next call of a one-at-a-time client is read without a wake-up.
 * - `close()` refuses new requests (UNAVAILABLE), lets queued and running ones finish, then
 *   closes the inline and the inner engine.
 * The worst-case queueing delay is stated in `basic-batch-scheduler.ts`.
 */
import type { CallLifetime } from '../core/call-lifetime';
import { Code, ServingError, deadlineExceeded, unavailable } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import type { EngineDescription, EngineRunOptions, EngineRunResult, InferenceEngine } from '../core/inference-engine';
import type { BatchTask } from './batch-scheduler';
import { BasicBatchScheduler, abortReason, type ScheduledBatch } from './basic-batch-scheduler';
import type { BatchingOptions } from './batching-options';
import { systemClock, type Clock } from './clock';
import { InlineGate } from './inline-gate';
import { LoopPoller } from './loop-poller';
import { concatFeedRows, copyRows, sameRowShape, sliceRows } from './tensor-rows';

/** What one inner run did, for metrics. Times in microseconds. */
export interface BatchExecution {
  readonly rows: number;
  readonly requests: number;
  readonly ok: boolean;
  /** Per request in the run: time queued in the batcher plus the hand-off to a worker. */
  readonly queueMicros: readonly number[];
  /** Merging the feeds (0 for a lone request). */
  readonly computeInputMicros: number;
  /** Inside the inner engine's run. */
  readonly computeInferMicros: number;
  /** Splitting the outputs back (0 for a lone request). */
  readonly computeOutputMicros: number;
  /** The run was made on the main-thread (inline) engine rather than by a worker. */
  readonly onMainThread?: boolean;
}

export interface BatchObserver {
  batchExecuted(execution: BatchExecution): void;
  /** A queued request was dropped before running: DEADLINE_EXCEEDED, CANCELLED, or UNAVAILABLE (waited over maxQueueTimeMicros). */
  requestDropped(code: Code): void;
}

/** An engine that runs on the calling thread, one run at a time (engine/inline-onnx-engine.ts). */
export interface InlineEngine extends InferenceEngine {
  readonly busy: boolean;
}

export interface BatchingEngineOptions {
  readonly inner: InferenceEngine;
  /**
   * Runs lone small requests while the inner engine is idle; omitted: every request goes to
   * `inner`. After each such run the event loop keeps polling for `pollMicros` (loop-poller.ts;
   * omitted or 0: it may sleep at once).
   */
  readonly inline?: { readonly engine: InlineEngine; readonly maxRows: number; readonly pollMicros?: number };
  readonly batching: BatchingOptions;
  /** Model name for messages. */
  readonly name: string;
  readonly clock?: Clock;
  /**
   * Every request's feeds have the same names, dtypes and row shapes (the caller validates them
   * against one signature without dynamic dimensions: model-signature.ts `hasStaticRowShapes`),
   * so requests merge without their feeds being compared. Default false: compare.
   */
  readonly uniformRowShapes?: boolean;
  readonly observer?: BatchObserver;
}

interface EngineTask extends BatchTask {
  readonly feeds: Record<string, HostTensor>;
  readonly outputNames: readonly string[];
  /** The caller gave the feeds' memory up (`feedsMovable`): a lone run may move it too. */
  readonly feedsMovable: boolean;
  resolve(result: EngineRunResult): void;
  reject(error: ServingError): void;
}

const nowMicros = () => performance.now() * 1000;
const MOVABLE_FEEDS: EngineRunOptions = Object.freeze({ feedsMovable: true });

export class BatchingEngine implements InferenceEngine {
  private readonly scheduler: BasicBatchScheduler<EngineTask>;
  private readonly splitRows: number;
  private readonly inlineGate: InlineGate | undefined;
  private readonly poller: LoopPoller | undefined;
  private closed = false;

  private constructor(private readonly options: BatchingEngineOptions) {
    const b = options.batching;
    // Batching off: one request per run, never split (the core already bounds request rows).
    this.splitRows = b.enabled ? b.maxBatchSize : Number.MAX_SAFE_INTEGER;
    this.inlineGate = options.inline === undefined ? undefined : new InlineGate(options.inline.maxRows, options.clock ?? systemClock);
    const pollMicros = options.inline?.pollMicros ?? 0;
    this.poller = pollMicros > 0 ? new LoopPoller(pollMicros, options.clock ?? systemClock) : undefined;
    this.scheduler = BasicBatchScheduler.create<EngineTask>({
      name: options.name,
      maxBatchSize: this.splitRows,
      maxQueueDelayMicros: b.maxQueueDelayMicros,
      preferredBatchSizes: b.enabled ? b.preferredBatchSizes : [],
      maxQueueSize: b.maxQueueSize,
      maxQueueTimeMicros: b.maxQueueTimeMicros,
      maxRunsInFlight: b.maxRunsInFlight,
      mergeTasks: b.enabled,
      // Requests share a run only when their feeds have the same names, dtypes and row shapes.
      // With uniform row shapes any two requests can, and comparing their feeds is skipped.
      ...(options.uniformRowShapes === true ? {} : { canMerge: (first: EngineTask, next: EngineTask) => sameFeedShapes(first.feeds, next.feeds) }),
      clock: options.clock ?? systemClock,
      startAtTurnEnd: true,
      processBatch: (batch) => this.processBatch(batch),
      onDrop: (task, reason) => {
        options.observer?.requestDropped(reason.code);
        task.reject(reason);
      },
    });
  }

  static create(options: BatchingEngineOptions): BatchingEngine {
    return new BatchingEngine(options);
  }

  /** The engine runs go to (for tests and introspection). */
  get inner(): InferenceEngine {
    return this.options.inner;
  }

  /** Requests accepted and not finished (queued or running); a split request counts per part. */
  pendingRequests(): number {
    return this.scheduler.numPendingTasks() + (this.options.inline?.engine.busy === true ? 1 : 0);
  }

  queuedRequests(): number {
    return this.scheduler.numEnqueuedTasks();
  }

  run(feeds: Record<string, HostTensor>, outputNames: readonly string[], options: EngineRunOptions = {}): Promise<EngineRunResult> {
    if (this.closed) return Promise.reject(unavailable('server is stopping; not accepting new requests'));
    const names = Object.keys(feeds);
    const rows = names.length === 0 ? 0 : feeds[names[0]].dims[0];
    const inline = this.options.inline;
    // Checked before the signal is read: a request that runs at once never needs one.
    if (inline !== undefined && rows > 0 && this.inlineGate!.admits(rows, !inline.engine.busy && this.scheduler.isIdleFor(rows))) {
      return this.runInline(inline.engine, feeds, outputNames, rows);
    }
    // A lifetime serves a request queued whole (one task); a split request takes the signal.
    const lifetime = rows <= this.splitRows ? options.lifetime : undefined;
    const signal = lifetime === undefined ? options.signal : undefined;
    if (signal?.aborted || (lifetime !== undefined && lifetime.remainingMs() <= 0)) {
      const reason = signal === undefined ? deadlineExceeded('deadline expired before the request reached a worker') : abortReason(signal);
      this.options.observer?.requestDropped(reason.code);
      return Promise.reject(reason);
    }
    if (rows === 0) return this.options.inner.run(feeds, outputNames, options);
    if (rows <= this.splitRows) return this.enqueue(feeds, outputNames, rows, options.feedsMovable === true, signal, lifetime);
    return this.runSplit(feeds, outputNames, rows, signal);
  }

  private async runInline(engine: InlineEngine, feeds: Record<string, HostTensor>, outputNames: readonly string[], rows: number): Promise<EngineRunResult> {
    let result: EngineRunResult;
    try {
      result = await engine.run(feeds, outputNames);
    } catch (error) {
      this.observeSafely({ rows, requests: 1, ok: false, queueMicros: [0], computeInputMicros: 0, computeInferMicros: 0, computeOutputMicros: 0, onMainThread: true });
      throw ServingError.from(error);
    }
    this.inlineGate!.recordInlineRun(result.computeMicros);
    // The server was quiet: the caller's next request likely follows this answer shortly.
    this.poller?.extend();
    this.observeSafely({ rows, requests: 1, ok: true, queueMicros: [0], computeInputMicros: 0, computeInferMicros: result.computeMicros, computeOutputMicros: 0, onMainThread: true });
    return { outputs: result.outputs, queueMicros: 0, computeMicros: result.computeMicros, executedBatchRows: rows };
  }

  private enqueue(feeds: Record<string, HostTensor>, outputNames: readonly string[], rows: number, feedsMovable: boolean, signal: AbortSignal | undefined, lifetime?: CallLifetime): Promise<EngineRunResult> {
    return new Promise<EngineRunResult>((resolve, reject) => {
      this.scheduler.schedule({ size: rows, signal, lifetime, feeds, outputNames, feedsMovable, resolve, reject });
    });
  }

  private async runSplit(feeds: Record<string, HostTensor>, outputNames: readonly string[], rows: number, signal: AbortSignal | undefined): Promise<EngineRunResult> {
    const parts = Math.ceil(rows / this.splitRows);
    if (this.scheduler.schedulingCapacity() < parts) {
      const b = this.options.batching;
      throw new ServingError(Code.UNAVAILABLE, `queue full for model "${this.options.name}" (maxQueueSize=${b.maxQueueSize}; this request needs ${parts} runs of up to ${b.maxBatchSize} rows); retry later`);
    }
    const runs: Array<Promise<EngineRunResult>> = [];
    for (let start = 0; start < rows; start += this.splitRows) {
      const end = Math.min(rows, start + this.splitRows);
      const part: Record<string, HostTensor> = {};
      for (const name of Object.keys(feeds)) part[name] = copyRows(feeds[name], start, end);
      runs.push(this.enqueue(part, outputNames, end - start, true, signal));
    }
    const results = await Promise.all(runs);
    const outputs = concatFeedRows(outputNames, results.map((r) => r.outputs));
    return {
      outputs,
      queueMicros: Math.max(...results.map((r) => r.queueMicros)),
      computeMicros: results.reduce((sum, r) => sum + r.computeMicros, 0),
      executedBatchRows: Math.max(...results.map((r) => r.executedBatchRows ?? 0)),
    };
  }

  /** Runs one batch (one feed shape: see canMerge); every task is settled whatever throws. */
  private async processBatch(batch: ScheduledBatch<EngineTask>): Promise<void> {
    try {
      await this.runGroup(batch.tasks, batch.queueMicros);
    } catch (error) {
      // Rejecting a task already resolved is a no-op: only the unsettled ones get this.
      const serving = ServingError.from(error);
      for (const task of batch.tasks) task.reject(serving);
    }
  }

  private async runGroup(tasks: readonly EngineTask[], queueMicros: readonly number[]): Promise<void> {
    const lone = tasks.length === 1;
    const inputStart = nowMicros();
    let feeds: Record<string, HostTensor>;
    let outputNames: readonly string[];
    let rows = 0;
    if (lone) {
      feeds = tasks[0].feeds;
      outputNames = tasks[0].outputNames;
      rows = tasks[0].size;
    } else {
      feeds = concatFeedRows(Object.keys(tasks[0].feeds), tasks.map((task) => task.feeds));
      const union = new Set<string>();
      for (const task of tasks) {
        rows += task.size;
        for (const name of task.outputNames) union.add(name);
      }
      outputNames = [...union];
    }
    const computeInputMicros = lone ? 0 : nowMicros() - inputStart;
    let result: EngineRunResult;
    try {
      // Merged feeds are this run's own buffer, and a lone request's are when its caller gave them
      // up: the engine may move them instead of copying them.
      result = await this.options.inner.run(feeds, outputNames, !lone || tasks[0].feedsMovable ? MOVABLE_FEEDS : undefined);
    } catch (error) {
      const serving = ServingError.from(error);
      for (const task of tasks) task.reject(serving);
      this.observeSafely({ rows, requests: tasks.length, ok: false, queueMicros, computeInputMicros, computeInferMicros: 0, computeOutputMicros: 0 });
      return;
    }
    // A small lone run on a worker keeps the inline gate's run-time estimate current while the
    // gate refuses (inline-gate.ts), so a slow run does not keep later requests off the main thread.
    if (lone && this.inlineGate !== undefined && rows <= this.inlineGate.maxRows) this.inlineGate.recordWorkerRun(result.computeMicros);
    const outputStart = nowMicros();
    const settled: Array<() => void> = [];
    let offset = 0;
    tasks.forEach((task, i) => {
      const outputs: Record<string, HostTensor> = {};
      for (const name of task.outputNames) {
        const tensor = result.outputs[name];
        outputs[name] = lone || tensor === undefined ? tensor : sliceRows(tensor, offset, offset + task.size);
      }
      offset += task.size;
      const own: EngineRunResult = { outputs, queueMicros: queueMicros[i] + result.queueMicros, computeMicros: result.computeMicros, executedBatchRows: rows };
      settled.push(() => task.resolve(own));
    });
    const computeOutputMicros = lone ? 0 : nowMicros() - outputStart;
    for (const settle of settled) settle();
    this.observeSafely({
      rows, requests: tasks.length, ok: true,
      queueMicros: queueMicros.map((q) => q + result.queueMicros),
      computeInputMicros, computeInferMicros: result.computeMicros, computeOutputMicros,
    });
  }

  /** Metrics never decide a caller's fate: the callers are settled first, and a throw here is dropped. */
  private observeSafely(execution: BatchExecution): void {
    try {
      this.options.observer?.batchExecuted(execution);
    } catch {
      // A failing observer must not leave requests unanswered.
    }
  }

  describe(): EngineDescription {
    const inner = this.options.inner.describe();
    const inline = this.options.inline;
    return { ...inner, details: { ...inner.details, batching: this.options.batching, inlineMaxRows: inline === undefined ? 0 : inline.maxRows } };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poller?.stop();
    await this.scheduler.close();
    await this.options.inline?.engine.close();
    await this.options.inner.close();
  }
}

/** Same feed names (in any order), and per name the same dtype and row shape. */
function sameFeedShapes(a: Record<string, HostTensor>, b: Record<string, HostTensor>): boolean {
  let names = 0;
  for (const name in a) {
    const other = b[name];
    if (other === undefined || !sameRowShape(a[name], other)) return false;
    names++;
  }
  for (const _ in b) names--;
  return names === 0;
}
