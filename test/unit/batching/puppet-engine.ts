/**
 * `PuppetEngine`: an `InferenceEngine` whose runs complete only when the test says so
 * (`runPending(n)` / `failPending(n)`), after TF Serving's PuppetBatchScheduler. Its "model"
 * computes output = 2 * input for the float32 input "x" [rows, 2] into "y" [rows, 2], and a
 * per-row copy of "id" (int64 [rows]) into "id_out", so tests can check that every caller got
 * exactly its own rows back.
 */
import { internal } from '../../../src/core/errors';
import type { HostTensor } from '../../../src/core/tensor';
import type { EngineDescription, EngineRunOptions, EngineRunResult, InferenceEngine } from '../../../src/core/inference-engine';

export interface PuppetRun {
  readonly feeds: Record<string, HostTensor>;
  readonly outputNames: readonly string[];
  readonly rows: number;
  readonly options: EngineRunOptions | undefined;
  resolve(result: EngineRunResult): void;
  reject(error: unknown): void;
}

export class PuppetEngine implements InferenceEngine {
  readonly pending: PuppetRun[] = [];
  /** Rows of every run started, in order. */
  readonly executedBatchRows: number[] = [];
  closed = false;

  run(feeds: Record<string, HostTensor>, outputNames: readonly string[], options?: EngineRunOptions): Promise<EngineRunResult> {
    const rows = feeds[Object.keys(feeds)[0]].dims[0];
    this.executedBatchRows.push(rows);
    return new Promise((resolve, reject) => this.pending.push({ feeds, outputNames, rows, options, resolve, reject }));
  }

  /** Completes the `n` oldest running batches; resolves after their callers' continuations ran. */
  async runPending(n = this.pending.length): Promise<void> {
    for (const run of this.pending.splice(0, n)) {
      const outputs: Record<string, HostTensor> = {};
      const x = run.feeds.x;
      if (x !== undefined) outputs.y = { dtype: 'float32', dims: x.dims, data: (x.data as Float32Array).map((v) => v * 2) };
      const id = run.feeds.id;
      if (id !== undefined) outputs.id_out = { dtype: 'int64', dims: id.dims, data: (id.data as BigInt64Array).slice() };
      run.resolve({ outputs, queueMicros: 0, computeMicros: 100 });
    }
    await flush();
  }

  async failPending(n = this.pending.length): Promise<void> {
    for (const run of this.pending.splice(0, n)) run.reject(internal(new Error('puppet failure')));
    await flush();
  }

  describe(): EngineDescription {
    return { executionProviders: ['puppet'], workers: 1, details: {} };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Lets pending promise continuations run (microtasks and one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A request of `rows` rows: x = [[id, id+0.5], ...], id = [firstId, firstId+1, ...]. */
export function puppetFeeds(rows: number, firstId: number): Record<string, HostTensor> {
  const x = new Float32Array(rows * 2);
  const id = new BigInt64Array(rows);
  for (let r = 0; r < rows; r++) {
    x[2 * r] = firstId + r;
    x[2 * r + 1] = firstId + r + 0.5;
    id[r] = BigInt(firstId + r);
  }
  return { x: { dtype: 'float32', dims: [rows, 2], data: x }, id: { dtype: 'int64', dims: [rows], data: id } };
}
