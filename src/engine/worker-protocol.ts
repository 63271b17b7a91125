/**
 * Messages between `WorkerPoolEngine` (main thread) and `onnx-worker` (worker threads).
 * Everything here is structured-cloneable.
 *
 * @private
 */
import type { DType, TensorData } from '../core/tensor';
import type { OrtSessionOptions } from './session-config';

export interface WorkerInit {
  readonly modelPath: string;
  readonly sessionOptions: OrtSessionOptions;
}

export interface WireTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export interface WorkerTask {
  readonly feeds: Record<string, WireTensor>;
  readonly outputNames: readonly string[];
  /** Epoch milliseconds (performance.timeOrigin + now) when the task was submitted. */
  readonly submittedAtMs: number;
}

export interface WorkerResult {
  readonly outputs: Record<string, WireTensor>;
  readonly startedAtMs: number;
  readonly computeMicros: number;
  readonly threadId: number;
}
