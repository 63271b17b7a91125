import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERF_ANALYZER_RULE, isStable } from '../../../benchmarks/lib/stability';

const w = (requestsPerSecond: number, meanLatencyMicros = 1000) => ({ requestsPerSecond, meanLatencyMicros });

test('needs three windows before a level can count', () => {
  assert.equal(isStable([w(100), w(100)]), false);
  assert.equal(isStable([w(100), w(100), w(100)]), true);
});

test('throughput and latency must both stay within ±10% of the mean of the last three', () => {
  assert.equal(isStable([w(100), w(108), w(95)]), true);
  assert.equal(isStable([w(100), w(125), w(95)]), false);
  assert.equal(isStable([w(100, 1000), w(100, 1300), w(100, 1000)]), false);
  assert.equal(isStable([w(100, 1000), w(100, 1300), w(100, 1000)], { ...PERF_ANALYZER_RULE, checkLatency: false }), true);
});

test('only the last windows count, and an empty window never does', () => {
  assert.equal(isStable([w(10), w(500), w(100), w(101), w(99)]), true);
  assert.equal(isStable([w(0), w(0), w(0)]), false);
});
