/**
 * Messages between `WorkerPoolEngine` (main thread) and `onnx-worker` (worker threads).
 * Everything here is structured-cloneable.
 *
 * @private
 */
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { PackedTensors } from './packed-tensors';
import type { ModelImage } from './model-image';
import type { OrtSessionOptions } from './session-config';

export interface WorkerInit {
  /** The model every worker loads (shared memory; see model-image.ts). */
  readonly model: ModelImage;
  readonly sessionOptions: OrtSessionOptions;
  /**
   * Per-slot options (e.g. one CUDA device per slot). A starting worker takes the next slot
   * from `slotCounter` (Atomics.add), modulo the length, so replacements keep the spread.
   */
  readonly slotSessionOptions?: readonly OrtSessionOptions[];
  readonly slotCounter?: Int32Array;
  /** Test only: honour `WorkerTask.fault`. Off unless the server runs with --fault_injection. */
  readonly faultInjection?: boolean;
  /**
   * Run once each by every worker, the first and every replacement, after creating its session
   * and before it takes any task (feeds packed; output names joined with "\n").
   */
  readonly warmup?: { readonly feeds: readonly PackedTensors[]; readonly outputNames: string };
  /** Test only (with `faultInjection`): while > 0, a starting worker decrements it and fails to start. */
  readonly failStarts?: Int32Array;
}

/** Posted by a worker (through piscina's 'message') once its session exists and its warm-up ran. */
export interface WorkerWarmedUp {
  readonly warmedUp: { readonly threadId: number; readonly runs: number };
  /** The worker's direct lane (worker-lanes.ts): `WorkerTask` in, `WorkerResult` or `LaneFailure` out. */
  readonly lane: MessagePort;
}

/**
 * A start-up task: each worker that takes one counts itself in and blocks until `parties` have,
 * so `parties` concurrent barrier tasks must land on `parties` different workers. A negative
 * count releases the waiters (start-up failed elsewhere).
 */
export interface WorkerBarrier {
  readonly barrier: Int32Array;
  readonly parties: number;
  readonly timeoutMs: number;
}

/** What a worker answers to a `WorkerBarrier` (the warm-up count too: 'warmedUp' messages may arrive after it). */
export interface WorkerBarrierResult {
  readonly threadId: number;
  readonly warmedUpRuns: number;
}

/** The session options of the worker that calls this (consumes one slot). */
export function takeWorkerSessionOptions(init: WorkerInit): OrtSessionOptions {
  const slots = init.slotSessionOptions;
  if (slots === undefined || slots.length === 0 || init.slotCounter === undefined) return init.sessionOptions;
  return slots[Atomics.add(init.slotCounter, 0, 1) % slots.length];
}

export interface WorkerTask {
  /** Inputs by the model's real names, packed into one transferable buffer. */
  readonly feeds: PackedTensors;
  /** Requested output names joined with "\n". */
  readonly outputNames: string;
  /** Epoch milliseconds (performance.timeOrigin + now) when the task was submitted. */
  readonly submittedAtMs: number;
  /** Test only (ignored unless `WorkerInit.faultInjection`): exit the worker thread, throw, or block it for a minute instead of running. */
  readonly fault?: WorkerFault;
}

export interface WorkerResult {
  readonly outputs: PackedTensors;
  readonly startedAtMs: number;
  readonly computeMicros: number;
  readonly threadId: number;
}

/** Test-only faults a worker can be told to simulate. */
export type WorkerFault = 'exit' | 'throw' | 'hang';
