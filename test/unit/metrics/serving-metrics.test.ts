/**
 * ServingMetrics on an injected Registry: a scripted merged batch and a few call outcomes, then
 * the exposition text is parsed and every number checked.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Code } from '../../../src/core/errors';
import { parsePrometheusText, sampleValue } from '../../../benchmarks/lib/parse-prometheus-text';
import { ServingMetrics } from '../../../src/metrics/serving-metrics';

describe('ServingMetrics', () => {
  it('records a merged batch per request, as Triton, and once per run where it says so', async () => {
    const registry = new Registry();
    const metrics = ServingMetrics.create(registry);
    let pending = 3;
    const model = metrics.registerModel('ctr', '1', () => pending);
    model.batchExecuted({ rows: 12, requests: 3, ok: true, queueMicros: [0, 100, 200], computeInputMicros: 5, computeInferMicros: 400, computeOutputMicros: 2 });
    model.batchExecuted({ rows: 4, requests: 1, ok: false, queueMicros: [0], computeInputMicros: 0, computeInferMicros: 0, computeOutputMicros: 0 });
    model.requestDropped(Code.DEADLINE_EXCEEDED);
    model.requestDropped(Code.CANCELLED);
    model.requestDropped(Code.DEADLINE_EXCEEDED);
    metrics.observeCall({ model: '', code: Code.OK, rows: 4, durationMicros: 900 });
    metrics.observeCall({ model: 'ctr', code: Code.OK, rows: 4, durationMicros: 1100 });
    metrics.observeCall({ model: 'ctr', code: Code.UNAVAILABLE, rows: 0, durationMicros: 10 });
    metrics.observeCall({ model: 'other', code: Code.NOT_FOUND, rows: 0, durationMicros: 10 });
    const s = parsePrometheusText(await registry.metrics());
    const ctr = { model: 'ctr', version: '1' };
    assert.equal(sampleValue(s, 'nv_inference_exec_count', ctr), 1, 'failed runs are not executions');
    assert.equal(sampleValue(s, 'nv_inference_count', ctr), 12);
    assert.equal(sampleValue(s, 'nv_inference_queue_duration_us', ctr), 300);
    assert.equal(sampleValue(s, 'nv_inference_compute_infer_duration_us', ctr), 1200);
    assert.equal(sampleValue(s, 'nv_inference_compute_input_duration_us', ctr), 15);
    assert.equal(sampleValue(s, 'nv_inference_compute_output_duration_us', ctr), 6);
    assert.equal(sampleValue(s, 'ctr_engine_run_duration_us_total', ctr), 400);
    assert.equal(sampleValue(s, 'ctr_batch_size_count', ctr), 1);
    assert.equal(sampleValue(s, 'ctr_batch_size_bucket', { ...ctr, le: '8' }), 0);
    assert.equal(sampleValue(s, 'ctr_batch_size_bucket', { ...ctr, le: '16' }), 1);
    assert.equal(sampleValue(s, 'ctr_queue_duration_seconds_count', ctr), 3);
    assert.equal(sampleValue(s, 'ctr_requests_dropped_total', { ...ctr, reason: 'DEADLINE_EXCEEDED' }), 2);
    assert.equal(sampleValue(s, 'ctr_requests_dropped_total', { ...ctr, reason: 'CANCELLED' }), 1);
    assert.equal(sampleValue(s, 'nv_inference_request_success', ctr), 2, 'an empty model name is the default model');
    assert.equal(sampleValue(s, 'nv_inference_request_duration_us', ctr), 2000);
    assert.equal(sampleValue(s, 'nv_inference_request_failure', { ...ctr, reason: 'UNAVAILABLE' }), 1);
    assert.equal(sampleValue(s, 'nv_inference_request_failure', { model: '', version: '', reason: 'NOT_FOUND' }), 1, 'unknown models make no series of their own');
    assert.equal(sampleValue(s, 'nv_inference_pending_request_count', ctr), 3);
    pending = 0;
    assert.equal(sampleValue(parsePrometheusText(await registry.metrics()), 'nv_inference_pending_request_count', ctr), 0);
  });

  it('labels repeated calls by the versions registered at the time of each call', async () => {
    const registry = new Registry();
    const metrics = ServingMetrics.create(registry);
    metrics.registerModel('ctr', '1');
    const call = { model: 'ctr', version: '2', protocol: 'grpc', code: Code.OK, rows: 5, durationMicros: 100 };
    metrics.observeCall(call); // version 2 is not served yet: counted for the newest, 1
    metrics.observeCall(call);
    metrics.registerModel('ctr', '2');
    metrics.observeCall(call);
    metrics.observeCall({ ...call, code: Code.INTERNAL });
    metrics.observeCall({ ...call, protocol: 'paddle_grpc' });
    const s = parsePrometheusText(await registry.metrics());
    assert.equal(sampleValue(s, 'nv_inference_request_success', { model: 'ctr', version: '1' }), 2);
    assert.equal(sampleValue(s, 'nv_inference_request_success', { model: 'ctr', version: '2' }), 2);
    assert.equal(sampleValue(s, 'nv_inference_request_failure', { model: 'ctr', version: '2', reason: 'INTERNAL' }), 1);
    assert.equal(sampleValue(s, 'ctr_requests_total', { model: 'ctr', version: '2', protocol: 'grpc', code: 'OK' }), 1);
    assert.equal(sampleValue(s, 'ctr_requests_total', { model: 'ctr', version: '2', protocol: 'paddle_grpc', code: 'OK' }), 1);
  });

  it('parses label values with escapes', () => {
    const s = parsePrometheusText('# HELP x y\nx{a="q\\"uote",b="2"} 7\ny 1.5e3\n');
    assert.equal(sampleValue(s, 'x', { a: 'q"uote' }), 7);
    assert.equal(sampleValue(s, 'y'), 1500);
  });
});
