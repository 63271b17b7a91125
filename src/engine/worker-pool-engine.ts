/**
 * `InferenceEngine` over a piscina pool of worker threads, each owning one ONNX Runtime session
 * (`onnx-worker.ts`).
 *
 * Contract:
 * - `WorkerPoolEngine.create()` resolves only when every worker has created its session and run
 *   every warm-up feed (inside the worker, before it takes tasks; a start-up barrier task per
 *   worker proves each one is up, warm-up list empty or not); otherwise it rejects with the
 *   loader's message (a missing or corrupt model fails at startup, never on the first request).
 * - Replacement workers warm up the same way before piscina gives them a task. A worker that
 *   cannot start is reported through `onWorkerStartFailure` (piscina's 'error' event, which must
 *   have a listener); `readyWorkers` counts the workers that can take tasks now, and
 *   `onReadyWorkersChanged` is told whenever that count changes. When no worker is left and
 *   none is starting (piscina stops replacing workers that fail to start), runs fail at once
 *   with UNAVAILABLE instead of waiting in piscina's queue.
 * - A run whose signal aborted before submission is never sent to a worker.
 * - ONNX Runtime errors and dead workers become INTERNAL ServingErrors with the cause kept for
 *   the log (`fromEngineFailure`); piscina replaces a dead worker, so later runs still succeed.
 * - Runs go to an idle worker over its direct lane (worker-lanes.ts), waiting FIFO while every
 *   lane is busy; through `piscina.run` only while no worker has opened a lane.
 * - Inputs travel to the worker as one transferred buffer (packed-tensors.ts); the caller's
 *   arrays are copied, never detached, unless the run's `feedsMovable` says the caller gave them
 *   up: then feeds that already share one buffer are moved without a copy (and are detached).
 */
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { Code, ServingError, cancelled, deadlineExceeded } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import type { EngineDescription, EngineRunOptions, EngineRunResult, InferenceEngine } from '../core/inference-engine';
import type { ProviderReport } from './providers/resolve-providers';
import { chainLabel } from './providers/select-providers';
import { toOrtSessionOptions, toWorkerOrtSessionOptions, type SessionConfig } from './session-config';
import { nowEpochMs } from '../core/epoch-time';
import { type WorkerBarrier, type WorkerBarrierResult, type WorkerFault, type WorkerInit, type WorkerResult, type WorkerTask, type WorkerWarmedUp } from './worker-protocol';
import type { ModelImage } from './model-image';
import { packInPlace, packTensors, unpackTensors } from './packed-tensors';
import { WorkerLanes } from './worker-lanes';

export interface WorkerPoolEngineOptions {
  /** The model every worker loads (model-image.ts). */
  readonly model: ModelImage;
  /** Worker threads, each with its own session (Paddle's --thread). */
  readonly workers: number;
  readonly session: SessionConfig;
  /** Feeds for the warm-up runs (one per worker at least); omitted: no warm-up. */
  readonly warmupFeeds?: ReadonlyArray<Record<string, HostTensor>>;
  readonly warmupOutputNames?: readonly string[];
  /** Called with the cause whenever a run fails inside the engine. */
  readonly onEngineFailure?: (cause: unknown) => void;
  /** How the execution providers were chosen (probes, skips), exposed by `describe()`. */
  readonly providerReport?: ProviderReport;
  /** Test only: allow `injectFault()` (the worker honours faults only when this is set). Default false. */
  readonly faultInjection?: boolean;
  /** A worker (a replacement) could not start: its error. */
  readonly onWorkerStartFailure?: (cause: unknown) => void;
  /** The number of workers that can take tasks changed (after `create()` resolved). */
  readonly onReadyWorkersChanged?: (ready: number, wanted: number) => void;
  /** How long start-up waits for every worker to be up, milliseconds. Default 600000. */
  readonly startupTimeoutMs?: number;
}

export class WorkerPoolEngine implements InferenceEngine {
  private closed = false;
  private nextFault: WorkerFault | undefined;
  private started = false;
  /** Thread ids of the workers piscina reported ready ('workerCreate'); dead ones leave `pool.threads`. */
  private readonly readyIds = new Set<number>();
  private lastReadyCount = 0;
  /** Warm-up runs per worker thread id, as each worker reported them (replacements included). */
  readonly warmedUp = new Map<number, number>();
  /** Each warm worker's direct lane; runs go there, and through piscina only while no lane exists. */
  private readonly lanes: WorkerLanes<WorkerResult>;

  private constructor(
    private readonly pool: Piscina,
    private readonly options: WorkerPoolEngineOptions,
    private readonly failStarts: Int32Array,
  ) {
    this.lanes = new WorkerLanes<WorkerResult>((task, transfer) => pool.run(task, { transferList: [...transfer] }) as Promise<WorkerResult>);
    pool.on('workerCreate', (worker: { id: number }) => {
      this.readyIds.add(worker.id);
      this.reportReady();
    });
    // Runs before piscina drops the worker from `threads`: check once that has happened.
    pool.on('workerDestroy', (worker: { id: number }) => {
      // A worker that exited reports id -1 here: its lane's port closing is what fails its run.
      this.lanes.remove(worker.id, new Error(`worker thread ${worker.id} exited during the run`));
      setImmediate(() => this.reportReady());
    });
    pool.on('message', (message: unknown) => {
      const warmed = message as Partial<WorkerWarmedUp> | null;
      if (warmed?.warmedUp === undefined) return;
      this.warmedUp.set(warmed.warmedUp.threadId, warmed.warmedUp.runs);
      if (warmed.lane !== undefined && !this.closed) this.lanes.add(warmed.warmedUp.threadId, warmed.lane);
    });
    // Without a listener piscina's 'error' (a worker failing outside a task) would be thrown.
    pool.on('error', (cause: unknown) => options.onWorkerStartFailure?.(cause));
  }

  private reportReady(): void {
    const ready = this.readyWorkers;
    if (ready === this.lastReadyCount) return;
    this.lastReadyCount = ready;
    if (this.started && !this.closed) this.options.onReadyWorkersChanged?.(ready, this.options.workers);
  }

  /** Workers that can take a task now. */
  get readyWorkers(): number {
    let ready = 0;
    for (const thread of this.pool.threads) if (this.readyIds.has(thread.threadId)) ready++;
    return ready;
  }

  static async create(options: WorkerPoolEngineOptions): Promise<WorkerPoolEngine> {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new Error(`workers must be a positive integer; got ${options.workers}`);
    }
    const failStarts = new Int32Array(new SharedArrayBuffer(4));
    const outputNames = options.warmupOutputNames ?? [];
    const workerData: WorkerInit = {
      model: options.model,
      warmup: { feeds: (options.warmupFeeds ?? []).map((feed) => packTensors(feed)), outputNames: outputNames.join('\n') },
      failStarts,
      sessionOptions: toOrtSessionOptions(options.session),
      // One chain per worker slot (e.g. CUDA devices round-robin); a shared counter hands out slots.
      slotSessionOptions: toWorkerOrtSessionOptions(options.session),
      slotCounter: new Int32Array(new SharedArrayBuffer(4)),
      faultInjection: options.faultInjection === true,
    };
    const pool = new Piscina({
      filename: path.join(__dirname, 'onnx-worker.js'),
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      // Idle workers wait in their event loop (not in Atomics.wait), so their lanes' messages arrive.
      atomics: 'disabled',
      workerData,
    });
    const engine = new WorkerPoolEngine(pool, options, failStarts);
    try {
      await engine.awaitEveryWorker();
    } catch (error) {
      await pool.destroy().catch(() => undefined);
      const reason = error instanceof ServingError && error.cause instanceof Error ? error.cause.message : String(error);
      throw new Error(`could not load model "${options.model.source}" in the worker pool: ${reason}`, { cause: error });
    }
    return engine;
  }

  /**
   * One barrier task per worker: each blocks its worker until all have arrived, so they run on
   * distinct workers, each of which has created its session and warmed up (before taking a task).
   */
  private async awaitEveryWorker(): Promise<void> {
    const parties = this.options.workers;
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const task: WorkerBarrier = { barrier, parties, timeoutMs: this.options.startupTimeoutMs ?? 600_000 };
    try {
      const arrived = await Promise.all(Array.from({ length: parties }, () => this.pool.run(task) as Promise<WorkerBarrierResult>));
      const threads = new Set(arrived.map((worker) => worker.threadId));
      if (threads.size !== parties) throw new Error(`start-up reached ${threads.size} distinct workers of ${parties}`);
      for (const worker of arrived) this.warmedUp.set(worker.threadId, worker.warmedUpRuns);
    } catch (cause) {
      Atomics.store(barrier, 0, -1);
      Atomics.notify(barrier, 0);
      throw new ServingError(Code.INTERNAL, 'internal error', { cause });
    }
    this.started = true;
  }

  async run(feeds: Record<string, HostTensor>, outputNames: readonly string[], options: EngineRunOptions = {}): Promise<EngineRunResult> {
    throwIfAborted(options.signal);
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the engine is closed');
    if (this.pool.threads.length === 0) throw new ServingError(Code.UNAVAILABLE, `no worker can serve: 0 of ${this.options.workers} workers are running and none is starting (see the log for why they could not start)`);
    // One buffer for all inputs: a structured clone per tensor would cost more than the run at batch
    // 5. Movable feeds already in one buffer (a merged batch) are sent as they are, without a copy.
    const packed = (options.feedsMovable === true ? packInPlace(feeds) : undefined) ?? packTensors(feeds);
    const fault = this.nextFault;
    this.nextFault = undefined;
    const task: WorkerTask = { feeds: packed, outputNames: outputNames.join('\n'), submittedAtMs: nowEpochMs(), ...(fault === undefined ? {} : { fault }) };
    const transfer = [packed.buffer];
    let result: WorkerResult;
    try {
      // A run that waits for a lane is checked again just before it is sent.
      const signal = options.signal;
      result = await (this.lanes.run(task, transfer, signal === undefined ? undefined : () => throwIfAborted(signal)) ??
        (this.pool.run(task, { transferList: transfer }) as Promise<WorkerResult>));
    } catch (cause) {
      if (cause instanceof ServingError) throw cause;
      throw this.fromEngineFailure(cause);
    }
    return {
      outputs: unpackTensors(result.outputs),
      queueMicros: Math.max(0, (result.startedAtMs - task.submittedAtMs) * 1000),
      computeMicros: result.computeMicros,
    };
  }

  /** The one place piscina and ONNX Runtime failures are translated. */
  private fromEngineFailure(cause: unknown): ServingError {
    this.options.onEngineFailure?.(cause);
    return new ServingError(Code.INTERNAL, 'internal error', { cause });
  }

  /**
   * Test only: the next run makes its worker exit ('exit'), throw like a failing ONNX Runtime
   * run ('throw') or block for a minute ('hang'). Throws unless the engine was created with
   * `faultInjection: true`.
   */
  injectFault(kind: WorkerFault): void {
    if (this.options.faultInjection !== true) throw new Error('fault injection is off (start the server with --fault_injection, tests only)');
    this.nextFault = kind;
  }

  /** Test only: the next `count` workers that start (replacements) fail to create their session. */
  injectStartFailures(count: number): void {
    if (this.options.faultInjection !== true) throw new Error('fault injection is off (start the server with --fault_injection, tests only)');
    Atomics.store(this.failStarts, 0, count);
  }

  describe(): EngineDescription {
    const chains = this.options.session.workerExecutionProviders ?? [this.options.session.executionProviders];
    const providers = [...new Set(chains.flatMap((chain) => chain.map((p) => p.name)))];
    return {
      executionProviders: providers,
      workers: this.options.workers,
      details: {
        session: toOrtSessionOptions(this.options.session),
        modelPath: this.options.model.source,
        packedInputs: this.options.model.packings,
        workerProviderChains: Array.from({ length: this.options.workers }, (_, i) => chainLabel(chains[i % chains.length])),
        ...(this.options.providerReport === undefined ? {} : { providers: this.options.providerReport }),
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lanes.drain();
    await this.pool.close();
  }

  /** Terminates every worker now, runs in progress included (they fail); for a shutdown out of time. */
  async terminate(): Promise<void> {
    this.closed = true;
    await this.pool.destroy();
  }

  /** Workers with an open direct lane (warm, alive). */
  get laneCount(): number {
    return this.lanes.size;
  }

  /** Tasks piscina itself has completed: the start-up barrier, and runs made while no lane existed. */
  get piscinaTasksCompleted(): number {
    return this.pool.completed;
  }

  /** Worker threads alive now (piscina replaces one that died). */
  get liveWorkers(): number {
    return this.pool.threads.length;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal === undefined || !signal.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof ServingError) throw reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') throw deadlineExceeded('deadline expired before the request reached a worker');
  throw cancelled('the request was cancelled before it reached a worker');
}
