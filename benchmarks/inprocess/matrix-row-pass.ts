/**
 * One row of the in-process matrix (the `paddle_infer.py` equivalent, no RPC): create an ONNX
 * Runtime session with the row's provider, threads, memory and IR optimisation (mapped exactly
 * as the server maps Paddle's knobs, src/engine/session-config.ts), then make one pass over the
 * data files, reading and batching them as part of the timed run, and run every batch.
 *
 * Contract: `runMatrixRowPass` never throws for a provider that cannot run here: it returns
 * `{ status: 'unavailable', reason }` with the error ONNX Runtime gave when creating the session
 * (mkldnn: onnxruntime-node has no oneDNN provider; the "dnnl" probe's error is the reason).
 * Runs in its own process (see matrix-row-child.ts) so each row's peak RSS is its own.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { batchRecords, readCriteoRecords, recordsToFeed } from '../../src/data/criteo-reader';
import { toOrtSessionOptions, type ExecutionProviderConfig } from '../../src/engine/session-config';
import { LatencyHistogram, type LatencySummary } from '../../src/client/latency-histogram';
import type { MatrixRow } from '../lib/paddle-published';

export interface RowPassOptions {
  readonly row: MatrixRow;
  readonly modelPath: string;
  readonly dataPath: string;
  /** Let intra-op threads spin (server default: false). */
  readonly allowSpinning: boolean;
  /** Progress callback, called about every `progressEveryMs`. */
  readonly onProgress?: (lines: number) => void;
  readonly progressEveryMs?: number;
}

export type RowPassResult =
  | { readonly status: 'unavailable'; readonly row: MatrixRow; readonly reason: string }
  | {
      readonly status: 'measured';
      readonly row: MatrixRow;
      readonly lines: number;
      readonly batches: number;
      readonly sessionCreateMs: number;
      /** Reading + parsing + batching + running, the whole pass (Paddle's total time). */
      readonly totalMs: number;
      /** Sum of `session.run()` times only. */
      readonly computeMs: number;
      readonly perBatch: LatencySummary;
      readonly peakRssMiB: number;
    };

function providersFor(row: MatrixRow): ExecutionProviderConfig[] {
  if (row.provider === 'cuda' || row.provider === 'tensorrt') return [{ name: row.provider, deviceId: 0 }];
  if (row.provider === 'webgpu') return [{ name: 'webgpu' }];
  return [{ name: 'cpu' }];
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 300);
}

export async function runMatrixRowPass(options: RowPassOptions): Promise<RowPassResult> {
  const { row } = options;
  const sessionOptions = toOrtSessionOptions({
    intraOpThreads: row.threads,
    allowSpinning: options.allowSpinning,
    graphOptimizationLevel: row.irOptimization ? 'all' : 'basic',
    memoryOptimization: row.memoryOptimization,
    executionProviders: providersFor(row),
  }) as unknown as ort.InferenceSession.SessionOptions;
  if (row.mkldnn) {
    // Ask ORT for its oneDNN provider ("dnnl") so the reason is ORT's own words, not ours.
    try {
      const probe = await ort.InferenceSession.create(options.modelPath, { ...sessionOptions, executionProviders: ['dnnl'] });
      await probe.release();
    } catch (error) {
      return { status: 'unavailable', row, reason: `MKLDNN (oneDNN): the npm onnxruntime-node build has no oneDNN execution provider (ORT: ${firstLine(error)})` };
    }
    return { status: 'unavailable', row, reason: 'MKLDNN (oneDNN): provider "dnnl" was accepted, but this harness does not run it' };
  }
  const createStarted = performance.now();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(options.modelPath, sessionOptions);
  } catch (error) {
    return { status: 'unavailable', row, reason: `${row.provider} provider: session creation failed: ${firstLine(error)}` };
  }
  const sessionCreateMs = performance.now() - createStarted;
  const outputNames = session.outputNames;
  const inputNames = new Set(session.inputNames);
  const histogram = new LatencyHistogram();
  let lines = 0;
  let batches = 0;
  let computeMs = 0;
  let lastProgress = performance.now();
  const started = performance.now();
  for await (const records of batchRecords(readCriteoRecords(options.dataPath, { format: 'slot' }), row.batchSize, { dropLast: false })) {
    const { feed } = recordsToFeed(records);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(feed)) {
      if (!inputNames.has(name)) throw new Error(`model ${options.modelPath} has no input "${name}"; inputs: ${[...inputNames].join(', ')}`);
      const tensor = feed[name];
      feeds[name] = new ort.Tensor(tensor.dtype, tensor.data, tensor.dims);
    }
    const begin = performance.now();
    await session.run(feeds, outputNames);
    const elapsed = performance.now() - begin;
    computeMs += elapsed;
    histogram.record(elapsed * 1000);
    lines += records.length;
    batches++;
    if (options.onProgress && performance.now() - lastProgress > (options.progressEveryMs ?? 5000)) {
      lastProgress = performance.now();
      options.onProgress(lines);
    }
  }
  const totalMs = performance.now() - started;
  await session.release();
  return {
    status: 'measured', row, lines, batches, sessionCreateMs, totalMs, computeMs,
    perBatch: histogram.summary(),
    peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  };
}
