/**
 * Prometheus metrics through the real server: the test sends known traffic (successes with known
 * row counts, invalid requests, an unknown model), scrapes GET /metrics on the ops port, parses
 * it and checks Triton's counters, the histograms and the process metrics against that traffic.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue, type Sample } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('GET /metrics (Triton names, histograms, process metrics)', () => {
  let t: TestServer;
  let url: string;
  before(async () => {
    t = await startTestServer({ flags: ['--enable_prometheus', '--prometheus_port', '0', '--max_request_rows', '64', '--warmup_batch_sizes', '1,5'] });
    url = `http://127.0.0.1:${t.server.ops.opsPort}`;
  });
  after(() => t.stop());

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return parsePrometheusText(await response.text());
  };

  it('starts at zero for the served model (warm-up is not counted)', async () => {
    const metrics = await scrape();
    const model = { model: t.server.predictor.model().name, version: t.server.predictor.model().version };
    for (const name of ['nv_inference_request_success', 'nv_inference_count', 'nv_inference_exec_count', 'nv_inference_request_duration_us']) {
      assert.ok(metrics.some((s) => s.name === name && s.labels.model === model.model && s.labels.version === model.version), `${name} has a series for the model`);
      assert.equal(sampleValue(metrics, name), 0, name);
    }
    assert.equal(sampleValue(metrics, 'nv_inference_pending_request_count', model), 0);
  });

  it('counts the traffic sent: successes, rows, failures by reason, histograms', async () => {
    const sizes = [1, 2, 3, 5, 8, 13, 21, 1, 1, 4];
    for (const rows of sizes) await t.client.predict(criteoFeed(rows));
    await Promise.allSettled([t.client.predict(criteoFeed(65)), t.client.predict(criteoFeed(0)), t.client.predict(criteoFeed(1), [], { modelName: 'nope' })]);
    const metrics = await scrape();
    const rows = sizes.reduce((a, b) => a + b, 0);
    assert.equal(sampleValue(metrics, 'nv_inference_request_success'), sizes.length);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'INVALID_ARGUMENT' }), 2);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'NOT_FOUND' }), 1);
    assert.equal(sampleValue(metrics, 'nv_inference_count'), rows);
    // Sequential requests are never merged: one run each.
    assert.equal(sampleValue(metrics, 'nv_inference_exec_count'), sizes.length);
    assert.equal(sampleValue(metrics, 'ctr_batch_size_count'), sizes.length);
    assert.equal(sampleValue(metrics, 'ctr_batch_size_sum'), rows);
    assert.equal(sampleValue(metrics, 'ctr_batch_size_bucket', { le: '1' }), 3);
    assert.equal(sampleValue(metrics, 'ctr_batch_size_bucket', { le: '8' }), 8);
    assert.equal(sampleValue(metrics, 'ctr_request_duration_seconds_count'), sizes.length);
    assert.equal(sampleValue(metrics, 'ctr_queue_duration_seconds_count'), sizes.length);
    assert.equal(sampleValue(metrics, 'ctr_compute_duration_seconds_count'), sizes.length);
    const requestUs = sampleValue(metrics, 'nv_inference_request_duration_us');
    const inferUs = sampleValue(metrics, 'nv_inference_compute_infer_duration_us');
    assert.ok(inferUs > 0 && requestUs > inferUs, `request time (${requestUs} µs) includes compute time (${inferUs} µs)`);
    assert.ok(Math.abs(sampleValue(metrics, 'ctr_request_duration_seconds_sum') * 1e6 - requestUs) < 1, 'histogram sum agrees with the Triton counter');
    assert.equal(sampleValue(metrics, 'nv_inference_pending_request_count'), 0);
  });

  it('includes process metrics and refuses unknown paths', async () => {
    const metrics = await scrape();
    assert.ok(sampleValue(metrics, 'process_cpu_user_seconds_total') > 0);
    assert.ok(sampleValue(metrics, 'process_resident_memory_bytes') > 0);
    const missing = await fetch(`${url}/nope`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /available: GET \/metrics/);
  });
});
