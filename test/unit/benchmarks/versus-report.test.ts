import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SeriesLoadResult } from '../../../benchmarks/versus/measure-versus';
import { LOADS, SERIES, type LoadKey } from '../../../benchmarks/versus/series';
import { buildVersusReport, median, ratioToNaive, roundRatios, versusMarkdown } from '../../../benchmarks/versus/versus-report';
import { describeMachine } from '../../../benchmarks/lib/machine-info';

const latency = (p50Micros: number, p99Micros: number) => ({ count: 100, meanMicros: p50Micros, p50Micros, p90Micros: p99Micros, p95Micros: p99Micros, p99Micros, maxMicros: p99Micros });
const round = (p50Micros: number, p99Micros: number, rowsPerSecond: number) => ({ requests: 50, p50Micros, p99Micros, rowsPerSecond, callsPerSecond: rowsPerSecond / 5 });

function result(series: string, load: LoadKey, p50: number, p99: number, rowsPerSecond: number, rounds = [round(p50, p99, rowsPerSecond)]): SeriesLoadResult {
  return { series, load, latency: latency(p50, p99), rowsPerSecond, callsPerSecond: rowsPerSecond / 5, rounds, failures: {} };
}

test('ratios are rec-serve over naive, pooled and per round', () => {
  const results = [
    result('naive', 'b5x1', 1000, 4000, 5000, [round(1000, 4000, 5000), round(1200, 5000, 4000)]),
    result('grpc', 'b5x1', 700, 3000, 7000, [round(700, 3000, 7000), round(900, 6000, 5000)]),
  ];
  assert.equal(ratioToNaive(results, 'grpc', 'b5x1', 'p50'), 0.7);
  assert.equal(ratioToNaive(results, 'grpc', 'b5x1', 'p99'), 0.75);
  assert.deepEqual(roundRatios(results, 'grpc', 'b5x1', 'p50'), [0.7, 0.75]);
  assert.ok(Number.isNaN(ratioToNaive(results, 'grpc', 'b5x16', 'rows/s')));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test('the criteria checklist is computed from the numbers', () => {
  const results = [
    result('naive', 'b5x1', 1000, 4000, 5000),
    result('grpc', 'b5x1', 800, 4000, 0),
    result('paddle-grpc', 'b5x1', 810, 3000, 0),
    result('baidu_std', 'b5x1', 500, 9000, 0),
    result('kserve-grpc', 'b5x1', 870, 4000, 0),
    result('naive', 'b5x16', 0, 0, 6000),
    result('grpc', 'b5x16', 0, 0, 12000),
    result('naive', 'b2048x1', 0, 0, 40000),
    result('grpc', 'b2048x1', 0, 0, 59000),
  ];
  const report = buildVersusReport(results);
  const met = (series: string, load: LoadKey, metric: string) => report.criteria.find((c) => c.series === series && c.load === load && c.metric === metric)!.met;
  assert.equal(met('grpc', 'b5x1', 'p50'), true, '0.80 ≤ 0.8');
  assert.equal(met('grpc', 'b5x1', 'p99'), true, 'equal p99 is allowed');
  assert.equal(met('paddle-grpc', 'b5x1', 'p50'), false, '0.81 > 0.8');
  assert.equal(met('baidu_std', 'b5x1', 'p50'), true);
  assert.equal(met('kserve-grpc', 'b5x1', 'p50'), true, 'OIP gRPC against Predict: 870 / 800 ≤ 1.1');
  assert.equal(met('grpc', 'b5x16', 'rows/s'), true, '2.0 ≥ 2');
  assert.equal(met('grpc', 'b2048x1', 'rows/s'), false, '1.475 < 1.5');
  assert.equal(met('http-proto', 'b5x16', 'rows/s'), false, 'no figure: not met');
  const recSeries = SERIES.filter((s) => s.server === 'rec-serve').length;
  assert.equal(report.criteria.length, 6 + 2 * recSeries);

  const markdown = versusMarkdown(report, describeMachine('test'), {
    rounds: 1, requestsPerRound: { b5x1: 50, b5x16: 50, b2048x1: 2 }, warmup: { b5x1: 1, b5x16: 1, b2048x1: 1 }, serveArgs: [],
    naiveCommand: 'node naive', recServeCommand: 'node serve',
  });
  assert.match(markdown, /- \[x\] rec-serve, gRPC Predict, batch 5, 1 in flight: p50 ≤ 0.8× naive — measured 800 µs vs naive 1000 µs = \*\*0.80×\*\*/);
  assert.match(markdown, /- \[ \] rec-serve, Paddle gRPC, batch 5, 1 in flight: p50 ≤ 0.8× naive/);
  assert.match(markdown, /- \[x\] rec-serve, Open Inference Protocol gRPC \(raw contents\), batch 5, 1 in flight: p50 ≤ 1.1× rec-serve, gRPC Predict — measured 870 µs vs rec-serve, gRPC Predict 800 µs = \*\*1.09×\*\*/);
  for (const load of LOADS) assert.match(markdown, new RegExp(`## ${load.title}`));
  assert.match(markdown, /\| rec-serve, gRPC Predict \| 100 \| 800 \| 4000 \| 4000 \| 0 \| 0.80× \| 1.00× \|/);
});
