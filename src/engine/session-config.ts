/**
 * How each worker's ONNX Runtime session is configured, in our terms, and the mapping of that
 * onto onnxruntime-node's SessionOptions (Paddle Inference's knobs: cpu_threads, ir_optim,
 * mem_optim, use_gpu; see shared docs "Paddle Inference knobs onto ONNX Runtime").
 *
 * Contract: `toOrtSessionOptions` is a pure function of the config; the result is a plain,
 * structured-cloneable object that a worker passes to `InferenceSession.create`.
 */

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export type ExecutionProviderConfig =
  | { readonly name: 'cpu' }
  | { readonly name: 'cuda'; readonly deviceId: number }
  | { readonly name: 'tensorrt'; readonly deviceId: number }
  | { readonly name: 'webgpu' };

export interface SessionConfig {
  /** Intra-op threads of each session (Paddle's cpu_threads). Default: cores / workers, at least 1. */
  readonly intraOpThreads: number;
  /** Let intra-op threads spin while waiting for work. Default false (spinning burns a core per worker). */
  readonly allowSpinning: boolean;
  /** Graph optimisation (Paddle's --ir_optim): 'all' when on, 'basic' when off. */
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  /** CPU memory arena and memory pattern (Paddle's memory optimisation; --mem_optim_off turns it off). */
  readonly memoryOptimization: boolean;
  /** Providers in priority order; the CPU provider is always ONNX Runtime's last resort. */
  readonly executionProviders: readonly ExecutionProviderConfig[];
  /**
   * Per-worker provider chains (worker slot i uses entry i mod length), e.g. CUDA on device
   * i mod 2 for `--gpu_ids 0,1`. Omitted: every worker uses `executionProviders`.
   */
  readonly workerExecutionProviders?: ReadonlyArray<readonly ExecutionProviderConfig[]>;
}

/** The subset of onnxruntime-node's InferenceSession.SessionOptions we set (kept structural so this file does not import ORT). */
export interface OrtSessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential';
  graphOptimizationLevel: GraphOptimizationLevel;
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  logSeverityLevel: 0 | 1 | 2 | 3 | 4;
  executionProviders: Array<string | { name: string; deviceId?: number }>;
  extra: { session: { intra_op: { allow_spinning: '0' | '1' } } };
}

/** One OrtSessionOptions per worker slot (length 1 when all workers share one chain). */
export function toWorkerOrtSessionOptions(config: SessionConfig): OrtSessionOptions[] {
  const chains = config.workerExecutionProviders ?? [config.executionProviders];
  return chains.map((executionProviders) => toOrtSessionOptions({ ...config, executionProviders }));
}

export function toOrtSessionOptions(config: SessionConfig): OrtSessionOptions {
  return {
    intraOpNumThreads: config.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: config.graphOptimizationLevel,
    enableCpuMemArena: config.memoryOptimization,
    enableMemPattern: config.memoryOptimization,
    logSeverityLevel: 3,
    executionProviders: config.executionProviders.map((provider) =>
      provider.name === 'cuda' || provider.name === 'tensorrt' ? { name: provider.name, deviceId: provider.deviceId } : provider.name,
    ),
    extra: { session: { intra_op: { allow_spinning: config.allowSpinning ? '1' : '0' } } },
  };
}
