/**
 * The dynamic batcher through the real server: requests of mixed sizes queued behind a busy
 * worker are merged into runs and every caller gets exactly the reference DeepFM's outputs for
 * its own rows; requests whose feeds differ in row shape are run apart; a request larger than the
 * max batch is split across runs and reassembled in order. The worker is kept busy by holding its
 * run at a gate (run-gate.ts), so what queues does not depend on the machine's speed.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { runDeepFmReference } from '../helpers/deepfm-reference';
import type { HostTensor } from '../../src/core/tensor';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { criteoFeed } from '../helpers/feeds';
import { writeModelWithInputs } from '../helpers/model-fixtures';
import { gateRuns, innerEngineOf } from '../helpers/run-gate';
import { makeTempDir, makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

/** Waits (polling) until `condition` holds; a bounded wait for an event, not a timing assertion. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), what);
}

const batcherOf = (t: TestServer) => t.server.predictor.model().engine as BatchingEngine;

describe('dynamic batching over gRPC (tiny DeepFM, 1 worker)', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeTinyDeepFmDir>;
  before(async () => {
    fixture = makeTinyDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir, flags: ['--inline_max_rows', '0', '--max_batch_size', '8', '--max_request_rows', '64', '--enable_prometheus', '--prometheus_port', '0'] });
  });
  after(() => t.stop());

  const reference = (feed: Record<string, HostTensor>, rows: number): ArrayLike<number> => {
    const sparse = Array.from({ length: 26 }, (_, f) => feed[`C${f + 1}`].data as BigInt64Array);
    return runDeepFmReference(fixture.model.weights, { batchSize: rows, sparse, dense: feed.dense_input.data as Float32Array }).probabilities;
  };
  const assertMatches = (actual: Float32Array, expected: ArrayLike<number>, label: string) => {
    assert.equal(actual.length, expected.length, label);
    for (let i = 0; i < actual.length; i++) {
      assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${label} row ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  };
  const scrape = async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());

  it('merges requests queued behind a busy worker and gives every caller its own rows', async () => {
    const before = await scrape();
    const feeds = Array.from({ length: 64 }, (_, i) => criteoFeed(1 + (i % 5), 1000, 100 + i));
    const gate = gateRuns(innerEngineOf(t.server));
    let results: Awaited<ReturnType<TestServer['client']['predict']>>[];
    try {
      const first = t.client.predict(feeds[0]);
      await gate.whenHeld(1);
      const rest = feeds.slice(1).map((feed) => t.client.predict(feed));
      await waitFor(() => batcherOf(t).queuedRequests() === 63, 'the other 63 requests are queued');
      gate.open();
      results = await Promise.all([first, ...rest]);
    } finally {
      gate.restore();
    }
    results.forEach((result, i) => {
      const rows = 1 + (i % 5);
      const out = result.outputs['sigmoid_0.tmp_0'];
      assert.deepEqual(out.dims, [rows, 1]);
      assertMatches(out.data as Float32Array, reference(feeds[i], rows), `request ${i}`);
    });
    const afterScrape = await scrape();
    const delta = (name: string) => sampleValue(afterScrape, name) - sampleValue(before, name);
    const rowsSent = feeds.reduce((sum, _feed, i) => sum + 1 + (i % 5), 0);
    assert.equal(delta('nv_inference_count'), rowsSent);
    const runs = delta('nv_inference_exec_count');
    assert.ok(runs >= Math.ceil(rowsSent / 8), `runs (${runs}) hold at most 8 rows each`);
    assert.ok(runs < feeds.length, `64 concurrent requests on one worker were merged into fewer runs; got ${runs}`);
    // Each response says how many rows its run had: never fewer than its own, at most the max batch,
    // and more than its own for some request (the runs merged 64 requests into fewer runs).
    results.forEach((result, i) => {
      assert.ok(result.server.executedBatchRows >= 1 + (i % 5) && result.server.executedBatchRows <= 8, `request ${i}: ${result.server.executedBatchRows}`);
    });
    assert.ok(results.some((result, i) => result.server.executedBatchRows > 1 + (i % 5)), 'some response reports a merged run');
  });

  it('splits a request larger than the max batch across runs and reassembles it in order', async () => {
    const before = await scrape();
    const feed = criteoFeed(29, 1000, 7);
    const result = await t.client.predict(feed);
    assertMatches(result.outputs['sigmoid_0.tmp_0'].data as Float32Array, reference(feed, 29), 'split request');
    assert.equal(result.server.executedBatchRows, 8, 'the largest of the runs that served the split request');
    const afterScrape = await scrape();
    assert.equal(sampleValue(afterScrape, 'nv_inference_exec_count') - sampleValue(before, 'nv_inference_exec_count'), 4, '29 rows = 8 + 8 + 8 + 5');
  });

  it('exposes the effective batching config in model metadata', async () => {
    const meta = await t.client.getModelMetadata();
    const config = JSON.parse(meta.effectiveConfigJson);
    assert.equal(config.engine.details.batching.maxBatchSize, 8);
    assert.equal(config.engine.details.batching.enabled, true);
    assert.equal(config.engine.details.batching.maxRunsInFlight, 1);
  });
});

describe('dynamic batching of requests whose row shapes differ (x float32 [batch, n], 1 worker)', () => {
  let t: TestServer;
  before(async () => {
    const dir = makeTempDir('mixed-shapes');
    writeModelWithInputs(dir, [{ name: 'x', dtype: 'float32', dims: [-1, -1] }], { outputName: 'y' }); // y = sigmoid(row sum)
    t = await startTestServer({ modelDir: dir, flags: ['--inline_max_rows', '0', '--max_batch_size', '64'] });
  });
  after(() => t.stop());

  const feedOf = (rows: number, width: number, seed: number): Float32Array => Float32Array.from({ length: rows * width }, (_, i) => ((seed * 31 + i * 7) % 11) / 10 - 0.5);
  const expected = (data: Float32Array, width: number): number[] => Array.from({ length: data.length / width }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < width; c++) sum += data[r * width + c];
    return 1 / (1 + Math.exp(-sum));
  });

  it('runs each row shape apart, merges neighbours that share one, and answers every caller its own rows', { timeout: 60_000 }, async () => {
    // FIFO: a run takes the queued requests from the head while their row shape matches the first.
    const requests = [[2, 2], [1, 2], [3, 3], [2, 3], [1, 5]].map(([rows, width], i) => ({ rows, width, data: feedOf(rows, width, i) }));
    const gate = gateRuns(innerEngineOf(t.server));
    try {
      const blocker = t.client.predict({ x: { dtype: 'float32', dims: [1, 2], data: feedOf(1, 2, 9) } });
      await gate.whenHeld(1);
      const pending = requests.map((r) => t.client.predict({ x: { dtype: 'float32', dims: [r.rows, r.width], data: r.data } }));
      await waitFor(() => batcherOf(t).queuedRequests() === requests.length, 'all five requests are queued together');
      gate.open();
      await blocker;
      const results = await Promise.all(pending);
      results.forEach((result, i) => {
        const { rows, width, data } = requests[i]!;
        const y = result.outputs.y;
        assert.deepEqual(y.dims, [rows, 1], `request ${i}`);
        const want = expected(data, width);
        Array.from(y.data as Float32Array).forEach((v, r) => assert.ok(Math.abs(v - want[r]!) < 1e-6, `request ${i} row ${r}: ${v} vs ${want[r]}`));
      });
      // Width 2: 2 + 1 rows in one run; width 3: 3 + 2 rows in one run; width 5 alone.
      assert.deepEqual(results.map((r) => r.server.executedBatchRows), [3, 3, 5, 5, 1]);
      const afterBlocker = gate.runDims.slice(1).map((dims) => dims.join('x')).sort();
      assert.deepEqual(afterBlocker, ['1x5', '3x2', '5x3']);
    } finally {
      gate.restore();
    }
  });
});
