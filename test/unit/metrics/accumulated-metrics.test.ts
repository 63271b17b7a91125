/**
 * The accumulated counters and histograms expose exactly what prom-client's own Counter and
 * Histogram expose for the same updates (text and JSON, which the cluster aggregation reads),
 * keep held series valid across reset(), and refuse a counter going down.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { AccumulatedCounter, AccumulatedHistogram } from '../../../src/metrics/accumulated-metrics';

const BUCKETS = [0.001, 0.01, 0.1, 1];

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const labelNames = ['model', 'code'] as const;
  return {
    ours, theirs,
    counters: [new AccumulatedCounter({ name: 'calls_total', help: 'calls', labelNames, registers: [ours] }), new Counter({ name: 'calls_total', help: 'calls', labelNames, registers: [theirs] })] as const,
    histograms: [new AccumulatedHistogram({ name: 'latency_seconds', help: 'latency', labelNames, buckets: BUCKETS, registers: [ours] }), new Histogram({ name: 'latency_seconds', help: 'latency', labelNames, buckets: BUCKETS, registers: [theirs] })] as const,
  };
}

it('exposes what prom-client exposes for the same updates', async () => {
  const { ours, theirs, counters, histograms } = both();
  const updates: Array<[string, string, number]> = [['a', 'OK', 0.0005], ['a', 'OK', 0.001], ['b', 'INTERNAL', 0.05], ['a', 'OK', 3], ['b', 'INTERNAL', 0.1], ['a', 'NOT_FOUND', 0.2]];
  for (const [model, code, seconds] of updates) {
    counters[0].labels({ model, code }).inc();
    counters[1].labels({ model, code }).inc();
    counters[0].inc({ model, code }, 2);
    counters[1].inc({ model, code }, 2);
    histograms[0].labels({ model, code }).observe(seconds);
    histograms[1].labels({ model, code }).observe(seconds);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  // The JSON the cluster aggregation reads: the same, less prom-client's (unused) exemplar fields.
  const withoutExemplars = (json: unknown) => JSON.parse(JSON.stringify(json, (key, value: unknown) => (key === 'exemplar' ? undefined : value)));
  assert.deepEqual(withoutExemplars(await ours.getMetricsAsJSON()), withoutExemplars(await theirs.getMetricsAsJSON()));
  const aggregated = AggregatorRegistry.aggregate([await ours.getMetricsAsJSON(), await ours.getMetricsAsJSON()]);
  const reference = AggregatorRegistry.aggregate([await theirs.getMetricsAsJSON(), await theirs.getMetricsAsJSON()]);
  assert.equal(await aggregated.metrics(), await reference.metrics());
});

it('keeps held series valid across reset() and refuses a counter going down', async () => {
  const { ours, counters, histograms } = both();
  const held = counters[0].labels({ model: 'a', code: 'OK' });
  const heldHistogram = histograms[0].labels({ model: 'a', code: 'OK' });
  held.inc(5);
  heldHistogram.observe(0.5);
  ours.resetMetrics();
  held.inc();
  heldHistogram.observe(0.005);
  const text = await ours.metrics();
  assert.match(text, /^calls_total\{model="a",code="OK"\} 1$/m);
  assert.match(text, /^latency_seconds_bucket\{le="0.01",model="a",code="OK"\} 1$/m);
  assert.match(text, /^latency_seconds_count\{model="a",code="OK"\} 1$/m);
  assert.throws(() => held.inc(-1), /a counter only goes up; got -1/);
  assert.equal(counters[0].labels({ model: 'a', code: 'OK' }), held, 'the same series for the same labels');
});
