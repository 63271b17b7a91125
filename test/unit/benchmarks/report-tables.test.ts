import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrixCells, MATRIX_HEADER, rowFigures } from '../../../benchmarks/inprocess/matrix-report';
import type { RowPassResult } from '../../../benchmarks/inprocess/matrix-row-pass';
import { serverVariants } from '../../../benchmarks/served/server-variants';
import { perfAnalyzerCsv } from '../../../benchmarks/served/sweep-report';
import type { SweepRow } from '../../../benchmarks/served/run-sweep';
import { csvTable, markdownTable } from '../../../benchmarks/lib/table-format';
import { bestUnderBound } from '../../../benchmarks/served/run-sweep';

const cpu5 = { provider: 'cpu' as const, mkldnn: false, threads: 1, batchSize: 5, memoryOptimization: true, irOptimization: true };
const latency = (p99Micros: number) => ({ count: 10, meanMicros: 500, p50Micros: 400, p90Micros: 600, p95Micros: 700, p99Micros, maxMicros: p99Micros });

test('a measured matrix row gets Paddle time, per-sample µs and the ratio', () => {
  const result: RowPassResult = { status: 'measured', row: cpu5, lines: 1_800_000, batches: 360_000, sessionCreateMs: 100, totalMs: 89_048.2, computeMs: 50_000, perBatch: latency(300), peakRssMiB: 150 };
  const figures = rowFigures(result);
  assert.ok(Math.abs(figures.perSampleMicros! - 49.47) < 0.01);
  assert.ok(Math.abs(figures.ratio! - 0.1) < 0.001);
  const cells = matrixCells(result);
  assert.equal(cells.length, MATRIX_HEADER.length);
  assert.equal(cells[MATRIX_HEADER.indexOf('total time')], '1 min 29.048 s');
  assert.equal(cells[MATRIX_HEADER.indexOf('Paddle total time')], '14 min 50.482 s');
  assert.equal(cells[MATRIX_HEADER.indexOf('ratio (ours/Paddle per sample)')], '0.10×');
});

test('an unavailable row says why instead of disappearing', () => {
  const cells = matrixCells({ status: 'unavailable', row: { ...cpu5, provider: 'cuda' }, reason: 'cuda provider: session creation failed: no libcudart' });
  assert.equal(cells.length, MATRIX_HEADER.length);
  assert.equal(cells[0], 'yes');
  assert.equal(cells[MATRIX_HEADER.indexOf('status')], 'unavailable: cuda provider: session creation failed: no libcudart');
  assert.equal(cells[MATRIX_HEADER.indexOf('Paddle total time')], '16 min 5.771 s');
});

const sweepRow = (concurrency: number, rowsPerSecond: number, p99Micros: number, failures: Record<string, number> = {}): SweepRow => ({
  variant: 'batching off', mode: 'grpc', batchSize: 5, load: { kind: 'concurrency', concurrency }, stable: true, windowsMeasured: 3, droppedArrivals: 0,
  requests: 100, rows: 500, seconds: 1, requestsPerSecond: rowsPerSecond / 5, rowsPerSecond, latency: latency(p99Micros),
  clientSendRecvMicros: 200, serverMicros: 300, serverQueueMicros: 50, serverComputeMicros: 150, serverOtherMicros: 100, averageBatchRows: 5, failures,
});

test('perf_analyzer CSV starts with its exact header and columns', () => {
  const csv = perfAnalyzerCsv([sweepRow(4, 20_000, 2000)], 'concurrency');
  const [header, line] = csv.trim().split('\n');
  assert.ok(header.startsWith('Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,p50 latency,p90 latency,p95 latency,p99 latency'));
  assert.ok(line.startsWith('4,20000.0,0,300,50,0,150,0,0,400,600,700,2000,'));
  assert.equal(perfAnalyzerCsv([sweepRow(4, 1, 1)], 'rate').trim().split('\n').length, 1);
});

test('best rows/s under the bound skips levels over the bound or with failures', () => {
  const rows = [sweepRow(1, 5000, 900), sweepRow(4, 20_000, 9000), sweepRow(16, 30_000, 15_000), sweepRow(8, 25_000, 8000, { UNAVAILABLE: 1 })];
  assert.equal(bestUnderBound(rows, 10_000)?.rowsPerSecond, 20_000);
  assert.equal(bestUnderBound(rows, 500), undefined);
});

test('server variants follow the flags rec-serve really has', () => {
  assert.deepEqual(serverVariants('  --batching  turn the dynamic batcher on', 'batching', ['--thread', '2']).variants.map((v) => v.args), [
    ['--thread', '2', '--batching=off'],
    ['--thread', '2', '--batching=on'],
  ]);
  const none = serverVariants('  --port  gRPC port', 'batching', []);
  assert.equal(none.variants.length, 1);
  assert.match(none.note!, /no --batching flag in this build/);
});

test('tables escape what would break them', () => {
  assert.equal(csvTable(['a', 'b'], [['x,y', 'say "hi"']]), 'a,b\n"x,y","say ""hi"""\n');
  assert.match(markdownTable(['status'], [['unavailable: a|b']]), /unavailable: a\\\|b/);
});
