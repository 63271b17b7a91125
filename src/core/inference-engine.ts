/**
 * The engine interface the core runs models through. Implementations: `WorkerPoolEngine`
 * (piscina workers, each owning one ONNX Runtime session) and test doubles.
 *
 * Contract: `run` takes feeds keyed by the model's real input names, every feed with the same
 * number of rows, and resolves with the requested outputs by real name, each with that number of
 * rows first. It rejects with a ServingError: INTERNAL for engine failures (cause kept for the
 * log), CANCELLED / DEADLINE_EXCEEDED when `signal` aborted before the run started.
 */
import type { CallLifetime } from './call-lifetime';
import type { HostTensor } from './tensor';

export interface EngineRunOptions {
  /** Aborted when the caller went away or its deadline passed; the run is skipped if not started. */
  readonly signal?: AbortSignal;
  /** The same, without an AbortSignal (call-lifetime.ts); when set, `signal` is not read. */
  readonly lifetime?: CallLifetime;
  /**
   * The feeds' memory belongs to this run alone and the caller never reads the feeds again, so an
   * engine may move it to another thread instead of copying it. Default false.
   */
  readonly feedsMovable?: boolean;
}

export interface EngineRunResult {
  readonly outputs: Record<string, HostTensor>;
  /** Time between submission and the start of the run, microseconds. */
  readonly queueMicros: number;
  /** Time inside the engine's run call, microseconds. */
  readonly computeMicros: number;
  /**
   * Rows in the engine run that served this request (the largest, when it was split), larger than
   * the request's own rows when a batcher merged it with others. Absent: the request ran alone.
   */
  readonly executedBatchRows?: number;
}

export interface EngineDescription {
  /** Execution provider(s) the sessions run on, e.g. ["cpu"]. */
  readonly executionProviders: readonly string[];
  /** Number of parallel sessions (workers). */
  readonly workers: number;
  /** Free-form, JSON-serialisable details (thread counts, session options, probe results). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface InferenceEngine {
  run(feeds: Record<string, HostTensor>, outputNames: readonly string[], options?: EngineRunOptions): Promise<EngineRunResult>;
  describe(): EngineDescription;
  /** Finishes runs already started, then releases the sessions. */
  close(): Promise<void>;
}
