/**
 * Admission control through the real server and client: a full queue refuses at once with
 * UNAVAILABLE naming the limit; a request whose deadline passes, or whose caller cancels, while
 * it is queued is dropped before it reaches a worker and counted in the metrics.
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, ServingError } from '../../src/core/errors';
import { toLittleEndianBytes } from '../../src/core/tensor';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { DTYPE_TO_WIRE, PREDICT_PATH, encodePredictRequest } from '../../src/protocol/predict-messages';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

const scrape = async (t: TestServer) => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());

describe('admission control over gRPC', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('refuses requests beyond --max_queue_size at once with UNAVAILABLE naming the limit', async () => {
    const t = await startTestServer({ flags: ['--batching', 'off', '--max_queue_size', '2', '--max_request_rows', '4096', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const feed = criteoFeed(4096);
    const outcomes = await Promise.allSettled(Array.from({ length: 24 }, () => t.client.predict(feed)));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    const served = outcomes.filter((o) => o.status === 'fulfilled');
    assert.ok(refused.length > 0, 'with one worker and a queue of 2, a burst of 24 must overflow');
    assert.ok(served.length >= 3, `the running request and the queued ones are served; served ${served.length}`);
    for (const outcome of refused) {
      const error = (outcome as PromiseRejectedResult).reason;
      assert.ok(error instanceof ServingError);
      assert.equal(Code[error.code], 'UNAVAILABLE');
      assert.equal(error.rawMessage, `queue full for model "${t.server.predictor.model().name}" (maxQueueSize=2); retry later`);
    }
    const metrics = await scrape(t);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'UNAVAILABLE' }), refused.length);
    assert.equal(sampleValue(metrics, 'nv_inference_request_success'), served.length);
  });

  it('drops a queued request when its deadline passes or its caller cancels, before any worker sees it', async () => {
    // A 60 s queue delay keeps a lone request queued, so the drop is deterministic.
    const t = await startTestServer({ flags: ['--max_queue_delay_micros', '60000000', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const before = await scrape(t);
    await assert.rejects(t.client.predict(criteoFeed(2), [], { deadlineMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(Code[error.code], 'DEADLINE_EXCEEDED');
      return true;
    });
    const raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const feed = criteoFeed(2);
    const body = encodePredictRequest({
      inputs: Object.keys(feed).map((name) => ({ name, dtype: DTYPE_TO_WIRE[feed[name].dtype], shape: [...feed[name].dims], rawData: toLittleEndianBytes(feed[name].data) })),
    });
    const cancelledCall = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = raw.makeUnaryRequest(PREDICT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (error) => resolve(error));
      setTimeout(() => call.cancel(), 300);
    });
    assert.equal(cancelledCall?.code, grpc.status.CANCELLED);
    raw.close();
    // The server notices the deadline and the cancellation on its own timers: poll the metrics.
    let metrics = await scrape(t);
    for (let i = 0; i < 100 && sampleValue(metrics, 'ctr_requests_dropped_total') < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await scrape(t);
    }
    assert.equal(sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'DEADLINE_EXCEEDED' }), 1);
    assert.equal(sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'CANCELLED' }), 1);
    assert.equal(sampleValue(metrics, 'nv_inference_exec_count') - sampleValue(before, 'nv_inference_exec_count'), 0, 'no run was made for them');
    assert.equal(sampleValue(metrics, 'nv_inference_pending_request_count'), 0);
  });
});
