/**
 * `InferenceEngine` over a piscina pool of worker threads, each owning one ONNX Runtime session
 * (`onnx-worker.ts`).
 *
 * Contract:
 * - `WorkerPoolEngine.create()` resolves only when every worker has created its session and run
 *   one warm-up task; otherwise it rejects with the loader's message (a missing or corrupt model
 *   fails at startup, never on the first request).
 * - A run whose signal aborted before submission is never sent to a worker.
 * - ONNX Runtime errors and dead workers become INTERNAL ServingErrors with the cause kept for
 *   the log (`fromEngineFailure`); piscina replaces a dead worker, so later runs still succeed.
 * - Inputs travel to the worker as one transferred buffer (packed-tensors.ts); the caller's
 *   arrays are copied, never detached.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { Code, ServingError, cancelled, deadlineExceeded } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import type { EngineDescription, EngineRunOptions, EngineRunResult, InferenceEngine } from './inference-engine';
import type { ProviderReport } from './providers/resolve-providers';
import { chainLabel } from './providers/select-providers';
import { toOrtSessionOptions, toWorkerOrtSessionOptions, type SessionConfig } from './session-config';
import type { WorkerFault, WorkerInit, WorkerResult, WorkerTask } from './worker-protocol';
import type { ModelImage } from './model-image';
import { packTensors, unpackTensors } from './packed-tensors';

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
}

const nowEpochMs = () => performance.timeOrigin + performance.now();

export class WorkerPoolEngine implements InferenceEngine {
  private closed = false;
  private nextFault: WorkerFault | undefined;

  private constructor(
    private readonly pool: Piscina,
    private readonly options: WorkerPoolEngineOptions,
  ) {}

  static async create(options: WorkerPoolEngineOptions): Promise<WorkerPoolEngine> {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new Error(`workers must be a positive integer; got ${options.workers}`);
    }
    const workerData: WorkerInit = {
      model: options.model,
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
      workerData,
    });
    const engine = new WorkerPoolEngine(pool, options);
    try {
      await engine.warmUp();
    } catch (error) {
      await pool.destroy().catch(() => undefined);
      const reason = error instanceof ServingError && error.cause instanceof Error ? error.cause.message : String(error);
      throw new Error(`could not load model "${options.model.source}" in the worker pool: ${reason}`, { cause: error });
    }
    return engine;
  }

  /** Runs each warm-up feed on every worker (piscina spreads concurrent tasks over idle workers). */
  private async warmUp(): Promise<void> {
    const feeds = this.options.warmupFeeds ?? [];
    const outputNames = this.options.warmupOutputNames ?? [];
    for (const feed of feeds) {
      const runs = [];
      for (let i = 0; i < this.options.workers; i++) runs.push(this.run(copyFeeds(feed), outputNames));
      await Promise.all(runs);
    }
  }

  async run(feeds: Record<string, HostTensor>, outputNames: readonly string[], options: EngineRunOptions = {}): Promise<EngineRunResult> {
    throwIfAborted(options.signal);
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the engine is closed');
    // One buffer for all inputs: a structured clone per tensor would cost more than the run at batch 5.
    const packed = packTensors(feeds);
    const fault = this.nextFault;
    this.nextFault = undefined;
    const task: WorkerTask = { feeds: packed, outputNames: outputNames.join('\n'), submittedAtMs: nowEpochMs(), ...(fault === undefined ? {} : { fault }) };
    let result: WorkerResult;
    try {
      result = await this.pool.run(task, { transferList: [packed.buffer] });
    } catch (cause) {
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
    await this.pool.close();
  }

  /** Terminates every worker now, runs in progress included (they fail); for a shutdown out of time. */
  async terminate(): Promise<void> {
    this.closed = true;
    await this.pool.destroy();
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

function copyFeeds(feeds: Record<string, HostTensor>): Record<string, HostTensor> {
  const copy: Record<string, HostTensor> = {};
  for (const name of Object.keys(feeds)) {
    const { dtype, dims, data } = feeds[name];
    copy[name] = { dtype, dims, data: data.slice() };
  }
  return copy;
}
