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
const latency = (p99Micros: number) => ({ count: 10, meanMicros: 500, p50Micros: 401, p90Micros: 602, p95Micros: 703, p99Micros, maxMicros: p99Micros });

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
  clientSendRecvMicros: 200, serverMicros: 290, serverQueueMicros: 50, serverComputeMicros: 150, serverOtherMicros: 70, averageBatchRows: 5, failures,
});

/** One CSV line as header -> cell. */
function csvRecord(csv: string, line = 1): Map<string, string> {
  const lines = csv.trim().split('\n');
  const header = lines[0]!.split(',');
  const cells = lines[line]!.split(',');
  assert.equal(cells.length, header.length, lines[line]);
  return new Map(header.map((name, i) => [name, cells[i]!]));
}

test('perf_analyzer CSV has its exact header and puts each measured figure in its column', () => {
  const csv = perfAnalyzerCsv([sweepRow(4, 20_000, 2004)], 'concurrency');
  assert.ok(csv.startsWith('Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,p50 latency,p90 latency,p95 latency,p99 latency,'));
  const record = csvRecord(csv);
  assert.equal(record.get('Concurrency'), '4');
  assert.equal(record.get('Inferences/Second'), '20000.0', 'rows per second: one inference per row');
  assert.equal(record.get('Network+Server Send/Recv'), '270', 'client send/recv plus server time outside queue and compute');
  assert.equal(record.get('Server Queue'), '50');
  assert.equal(record.get('Server Compute Infer'), '150');
  assert.deepEqual(['p50 latency', 'p90 latency', 'p95 latency', 'p99 latency'].map((c) => record.get(c)), ['401', '602', '703', '2004']);
  assert.deepEqual(['Server Variant', 'Client Mode', 'Batch Size', 'Stable'].map((c) => record.get(c)), ['batching off', 'grpc', '5', 'yes']);
});

test('perf_analyzer CSV keeps closed-loop and open-loop levels apart', () => {
  const open: SweepRow = { ...sweepRow(1, 1000, 900), load: { kind: 'rate', requestsPerSecond: 123.45 } };
  const rows = [sweepRow(4, 20_000, 2004), open];
  assert.equal(csvRecord(perfAnalyzerCsv(rows, 'rate')).get('Request Rate'), '123.5');
  assert.equal(perfAnalyzerCsv(rows, 'rate').trim().split('\n').length, 2);
  assert.equal(perfAnalyzerCsv(rows, 'concurrency').trim().split('\n').length, 2);
});

test('perf_analyzer CSV leaves the columns it never measures empty instead of claiming 0 µs', () => {
  const record = csvRecord(perfAnalyzerCsv([sweepRow(4, 20_000, 2004)], 'concurrency'));
  for (const column of ['Client Send', 'Server Compute Input', 'Server Compute Output', 'Client Recv']) assert.equal(record.get(column), '', column);
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
