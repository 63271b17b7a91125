/**
 * The dynamic batcher through the real server: concurrent requests of mixed sizes on one worker
 * are merged into runs and every caller gets exactly the reference DeepFM's outputs for its own
 * rows; a request larger than the max batch is split across runs and reassembled in order.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../src/metrics/parse-prometheus-text';
import { runDeepFmReference } from '../helpers/deepfm-reference';
import type { HostTensor } from '../../src/core/tensor';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

describe('dynamic batching over gRPC (tiny DeepFM, 1 worker)', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeTinyDeepFmDir>;
  before(async () => {
    fixture = makeTinyDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir, flags: ['--max_batch_size', '8', '--max_batch_rows', '64', '--enable_prometheus', '--prometheus_port', '0'] });
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

  it('merges concurrent requests and gives every caller its own rows', async () => {
    const before = await scrape();
    const feeds = Array.from({ length: 64 }, (_, i) => criteoFeed(1 + (i % 5), 1000, 100 + i));
    const results = await Promise.all(feeds.map((feed) => t.client.predict(feed)));
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
    assert.equal(config.engine.details.batching.numBatchThreads, 1);
  });
});
