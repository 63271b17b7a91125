import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from '../../../src/client/latency-histogram';

test('reports count, mean and percentiles in microseconds', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i);
  const s = h.summary();
  assert.equal(s.count, 1000);
  assert.equal(s.p50Micros, 500);
  assert.equal(s.p99Micros, 990);
  assert.ok(Math.abs(s.meanMicros - 500.5) < 1);
  assert.equal(s.maxMicros, 1000);
});

test('keeps 3 significant digits for large values and merges histograms', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  a.record(123_456);
  b.record(0.2); // below 1 µs counts as 1 µs
  a.add(b);
  const s = a.summary();
  assert.equal(s.count, 2);
  assert.ok(Math.abs(s.maxMicros - 123_456) / 123_456 < 0.001);
  assert.equal(new LatencyHistogram().summary().p99Micros, 0);
});

test('rejects values that are not latencies', () => {
  assert.throws(() => new LatencyHistogram().record(-5), /non-negative finite number of microseconds; got -5/);
  assert.throws(() => new LatencyHistogram().record(NaN), /got NaN/);
});
