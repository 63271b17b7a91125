/**
 * The served sweep's chart tells batching on from off at a glance (same colour per batch and
 * client mode, a different dash per server variant, 12 distinct colours), and tags every point
 * with its concurrency; the overall progress line counts steps and estimates the time left.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEta, formatDuration } from '../../../benchmarks/lib/eta';
import { latencyThroughputSvg } from '../../../benchmarks/served/sweep-report';
import type { SweepRow } from '../../../benchmarks/served/run-sweep';

const latency = { count: 10, meanMicros: 500, p50Micros: 401, p90Micros: 602, p95Micros: 703, p99Micros: 900, maxMicros: 900 };
const row = (variant: string, batchSize: number, mode: string, concurrency: number): SweepRow => ({
  variant, mode, batchSize, load: { kind: 'concurrency', concurrency }, stable: true, windowsMeasured: 3, droppedArrivals: 0,
  requests: 100, rows: 100 * batchSize, seconds: 1, requestsPerSecond: 100 * concurrency, rowsPerSecond: 100 * concurrency * batchSize, latency: { ...latency, p99Micros: 500 * concurrency },
  clientSendRecvMicros: 200, serverMicros: 290, serverQueueMicros: 50, serverComputeMicros: 150, serverOtherMicros: 70, averageBatchRows: batchSize, failures: {},
});

test('batching on and off share a colour and differ by dash; points carry their concurrency', () => {
  const rows: SweepRow[] = [];
  for (const variant of ['batching on', 'batching off']) {
    for (const [batch, mode] of [[1, 'grpc'], [5, 'grpc'], [32, 'grpc'], [256, 'grpc'], [2048, 'grpc'], [5, 'http'], [5, 'rpc'], [5, 'paddle-grpc'], [5, 'web']] as const) {
      for (const c of [1, 4, 16]) rows.push(row(variant, batch, mode, c));
    }
  }
  const svg = latencyThroughputSvg(rows, 10_000, 'test');
  const lines = [...svg.matchAll(/<polyline fill="none" stroke="(#[0-9a-f]{6})" stroke-width="2"(?: stroke-dasharray="([^"]+)")? points="[^"]+"><title>([^<]+)<\/title>/g)]
    .map((m) => ({ color: m[1], dash: m[2], name: m[3] }));
  assert.equal(lines.length, 18);
  const on = lines.filter((l) => l.name.endsWith('batching on'));
  const off = lines.filter((l) => l.name.endsWith('batching off'));
  assert.equal(new Set(on.map((l) => l.color)).size, 9, 'nine groups, nine colours');
  assert.ok(on.every((l) => l.dash === undefined) && off.every((l) => l.dash === '7 4'));
  for (const l of on) assert.equal(off.find((o) => o.name.replace('off', 'on') === l.name)?.color, l.color);
  assert.equal((svg.match(/>c16</g) ?? []).length, 18);
  assert.match(svg, />c1</);
});

test('the progress line counts steps and estimates the time left from the mean step', () => {
  let now = 0;
  const eta = createEta(10, () => now);
  assert.equal(eta.text(), 'step 0/10, 0s elapsed, time left unknown');
  now = 30_000;
  eta.done();
  eta.done();
  assert.equal(eta.text(), 'step 2/10, 30s elapsed, ~2m00s left');
  assert.equal(formatDuration(3_725_000), '1h02m');
});
