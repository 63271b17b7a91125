import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logTicks, niceTicks, renderLineChart } from '../../../benchmarks/lib/svg-chart';

test('renders a standalone SVG with one polyline per series, a legend and escaped text', () => {
  const svg = renderLineChart({
    title: 'p99 vs rows/s <quick>',
    xLabel: 'rows/s',
    yLabel: 'ms',
    series: [
      { name: 'batch 5 & grpc', points: [{ x: 1000, y: 1 }, { x: 4000, y: 3 }] },
      { name: 'batch 2048', points: [{ x: 90000, y: 40 }] },
      { name: 'empty', points: [] },
    ],
    yReference: { value: 10, label: 'p99 bound 10 ms' },
    logScale: true,
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  assert.match(svg, /p99 vs rows\/s &lt;quick&gt;/);
  assert.match(svg, /batch 5 &amp; grpc/);
  assert.match(svg, />empty</);
  assert.match(svg, /p99 bound 10 ms/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
});

test('linear ticks start at zero and cover the maximum in 1-2-5 steps', () => {
  assert.deepEqual(niceTicks(9), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  const ticks = niceTicks(123_456);
  assert.ok(ticks[ticks.length - 1] >= 123_456);
});

test('log ticks cover the range', () => {
  const ticks = logTicks(0.7, 45);
  assert.ok(ticks[0] <= 0.7 && ticks[ticks.length - 1] >= 45, String(ticks));
  assert.deepEqual(logTicks(1, 10), [1, 2, 5, 10]);
});
