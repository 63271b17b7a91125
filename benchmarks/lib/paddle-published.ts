/**
 * Paddle Inference's published DeepFM speed matrix (shared docs "deepfm-and-criteo.md"): Intel
 * Xeon Gold 6271C (4 cores used), NVIDIA V100, CUDA 10.1, memory and IR optimisation on in every
 * row, one pass over Criteo's test split (~1.8 M lines) reading the files as part of the run.
 */
import { parsePaddleDuration } from './paddle-duration';

export type Provider = 'cpu' | 'cuda' | 'tensorrt' | 'webgpu';

export interface MatrixRow {
  readonly provider: Provider;
  readonly mkldnn: boolean;
  readonly threads: number;
  readonly batchSize: number;
  readonly memoryOptimization: boolean;
  readonly irOptimization: boolean;
}

export interface PublishedRow extends MatrixRow {
  readonly totalTime: string;
  readonly totalMs: number;
}

const row = (provider: Provider, mkldnn: boolean, threads: number, batchSize: number, totalTime: string): PublishedRow => ({
  provider, mkldnn, threads, batchSize, memoryOptimization: true, irOptimization: true, totalTime, totalMs: parsePaddleDuration(totalTime),
});

export const PADDLE_PUBLISHED: readonly PublishedRow[] = Object.freeze([
  row('cpu', false, 1, 5, '14 min 50.482 s'),
  row('cuda', false, 1, 5, '16 min 5.771 s'),
  row('cpu', false, 128, 5, '1 h 12 min 15.739 s'),
  row('cpu', true, 1, 5, '18 min 2.037 s'),
  row('cpu', false, 1, 2048, '4 min 32.014 s'),
  row('cuda', false, 1, 2048, '4 min 14.394 s'),
]);

/** Lines in Paddle's test split as used for the per-sample figures (the docs take 1.8 M). */
export const PADDLE_TEST_LINES = 1_800_000;

export function rowKey(r: MatrixRow): string {
  return `${r.provider}|${r.mkldnn}|${r.threads}|${r.batchSize}|${r.memoryOptimization}|${r.irOptimization}`;
}

export function findPublished(r: MatrixRow): PublishedRow | undefined {
  return PADDLE_PUBLISHED.find((p) => rowKey(p) === rowKey(r));
}
