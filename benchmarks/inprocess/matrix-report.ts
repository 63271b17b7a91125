/**
 * Turns in-process matrix results into Paddle's table (same leading columns: GPU, TensorRT,
 * MKLDNN, threads, batch, plus memory/IR optimisation and the total time in Paddle's style) with
 * our extra columns: per-sample µs, compute-only per-sample µs, p50/p99 per batch, peak CPU RSS,
 * Paddle's published time for the same row and the per-sample ratio.
 *
 * Contract: pure. Rows that could not run show "unavailable: <reason>" in the status column and
 * "-" elsewhere. The ratio is ours / Paddle's per sample (Paddle's time / 1.8 M lines), so runs
 * over fewer lines stay comparable; > 1 means slower than Paddle's published figure.
 */
import { csvTable, fixed, markdownTable, type Cell } from '../lib/table-format';
import { formatPaddleDuration } from '../lib/paddle-duration';
import { PADDLE_TEST_LINES, findPublished } from '../lib/paddle-published';
import type { RowPassResult } from './matrix-row-pass';

export const MATRIX_HEADER = [
  'GPU', 'TensorRT', 'MKLDNN', 'threads', 'batch', 'mem optim', 'IR optim', 'provider', 'status', 'lines',
  'total time', 'per-sample µs', 'compute-only per-sample µs', 'p50 per batch µs', 'p99 per batch µs',
  'peak CPU RSS MiB', 'Paddle total time', 'Paddle per-sample µs', 'ratio (ours/Paddle per sample)',
];

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

export interface MatrixRowFigures {
  readonly perSampleMicros?: number;
  readonly computePerSampleMicros?: number;
  readonly paddlePerSampleMicros?: number;
  readonly ratio?: number;
}

export function rowFigures(result: RowPassResult): MatrixRowFigures {
  const published = findPublished(result.row);
  const paddlePerSampleMicros = published === undefined ? undefined : (published.totalMs * 1000) / PADDLE_TEST_LINES;
  if (result.status !== 'measured' || result.lines === 0) return { paddlePerSampleMicros };
  const perSampleMicros = (result.totalMs * 1000) / result.lines;
  return {
    perSampleMicros,
    computePerSampleMicros: (result.computeMs * 1000) / result.lines,
    paddlePerSampleMicros,
    ratio: paddlePerSampleMicros === undefined ? undefined : perSampleMicros / paddlePerSampleMicros,
  };
}

export function matrixCells(result: RowPassResult): Cell[] {
  const { row } = result;
  const published = findPublished(row);
  const figures = rowFigures(result);
  const lead: Cell[] = [
    yesNo(row.provider === 'cuda' || row.provider === 'tensorrt'), yesNo(row.provider === 'tensorrt'), yesNo(row.mkldnn),
    row.threads, row.batchSize, yesNo(row.memoryOptimization), yesNo(row.irOptimization), row.mkldnn ? 'cpu+oneDNN' : row.provider,
  ];
  const paddle: Cell[] = [published?.totalTime ?? '-', fixed(figures.paddlePerSampleMicros, 1), figures.ratio === undefined ? '-' : `${figures.ratio.toFixed(2)}×`];
  if (result.status === 'unavailable') {
    return [...lead, `unavailable: ${result.reason}`, '-', '-', '-', '-', '-', '-', '-', ...paddle];
  }
  return [
    ...lead, 'measured', result.lines, formatPaddleDuration(result.totalMs), fixed(figures.perSampleMicros, 1), fixed(figures.computePerSampleMicros, 1),
    fixed(result.perBatch.p50Micros, 0), fixed(result.perBatch.p99Micros, 0), fixed(result.peakRssMiB, 0), ...paddle,
  ];
}

export function matrixMarkdown(results: readonly RowPassResult[]): string {
  return markdownTable(MATRIX_HEADER, results.map(matrixCells));
}

export function matrixCsv(results: readonly RowPassResult[]): string {
  return csvTable(MATRIX_HEADER, results.map(matrixCells));
}
