/**
 * The Open Inference Protocol goes through the same admission, deadlines, cancellation and
 * graceful stop as every other protocol: real server, requests held in the batcher's queue (a
 * 60 s queue delay) or in the engine (a run gate) so each case is deterministic.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, describe, it } from 'node:test';
import { Code, ServingError } from '../../src/core/errors';
import { KServeGrpcClient } from '../../src/client/kserve/kserve-grpc-client';
import { KServeHttpClient } from '../../src/client/kserve/kserve-http-client';
import { criteoFeed } from '../helpers/feeds';
import { publishedOipClient, rawInferRequest } from '../helpers/kserve-published-client';
import { gateRuns, innerEngineOf } from '../helpers/run-gate';
import { startTestServer, type TestServer } from '../helpers/test-server';

const metricText = (t: TestServer, name: string) => t.server.ops.metrics.registry.getSingleMetricAsString(name);

describe('Open Inference Protocol admission, deadlines and graceful stop', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('drops queued requests at grpc-timeout, at the timeout parameter and when the HTTP client leaves', async () => {
    const t = await startTestServer({ flags: ['--max_queue_delay_micros', '60000000'] });
    servers.push(t);
    const model = t.server.predictor.listModels()[0].name;
    const published = publishedOipClient(t.target);
    const http1 = KServeHttpClient.connect(t.target);
    try {
      const { config } = await published.call('ModelConfig')({ name: model });
      assert.equal(config.dynamic_batching.max_queue_delay_microseconds, '60000000', 'ModelConfig reports the configured delay');
      await assert.rejects(published.call('ModelInfer')(rawInferRequest(criteoFeed(2), { model_name: model }), { deadlineMs: 300 }), (error: { code: number }) => error.code === Code.DEADLINE_EXCEEDED);
      await assert.rejects(published.call('ModelInfer')(rawInferRequest(criteoFeed(2), { model_name: model, parameters: { timeout: { int64_param: '200000' } } })), (error: { code: number; details: string }) => {
        assert.equal(error.code, Code.DEADLINE_EXCEEDED);
        assert.equal(error.details, 'the request\'s "timeout" parameter (200000 µs) passed');
        return true;
      });
      await assert.rejects(http1.infer(model, criteoFeed(2), { parameters: { timeout: 200000 } }), (error: unknown) => {
        assert.ok(error instanceof ServingError);
        assert.equal(error.code, Code.DEADLINE_EXCEEDED, 'HTTP 504');
        assert.equal(error.rawMessage, 'the request\'s "timeout" parameter (200000 µs) passed');
        return true;
      });
      // An HTTP client that leaves while its request is queued cancels it.
      const feed = criteoFeed(2);
      const body = JSON.stringify({ inputs: Object.entries(feed).map(([name, x]) => ({ name, shape: [...x.dims], datatype: x.dtype === 'int64' ? 'INT64' : 'FP32', data: Array.from(x.data as ArrayLike<number | bigint>, Number) })) });
      const req = http.request({ host: '127.0.0.1', port: t.server.port, method: 'POST', path: `/v2/models/${model}/infer`, headers: { 'Content-Type': 'application/json' } });
      req.on('error', () => undefined);
      req.end(body);
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      // The grpc-js client cancels its 300 ms call when its own deadline passes, at about the moment
      // the server's grpc-timeout does: on a busy machine the cancel may arrive first (CANCELLED).
      const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      let dropped = '';
      for (let i = 0; i < 100 && count(dropped, /reason="CANCELLED"\} (\d+)/) + count(dropped, /reason="DEADLINE_EXCEEDED"\} (\d+)/) < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        dropped = await metricText(t, 'ctr_requests_dropped_total');
      }
      const droppedLate = count(dropped, /reason="DEADLINE_EXCEEDED"\} (\d+)/);
      const droppedCancelled = count(dropped, /reason="CANCELLED"\} (\d+)/);
      assert.equal(droppedLate + droppedCancelled, 4, dropped);
      assert.ok(droppedLate >= 2 && droppedCancelled >= 1, dropped);
      const requests = await metricText(t, 'ctr_requests_total');
      assert.equal(count(requests, /protocol="kserve_grpc",code="DEADLINE_EXCEEDED"\} (\d+)/) + count(requests, /protocol="kserve_grpc",code="CANCELLED"\} (\d+)/), 2, requests);
      assert.ok(count(requests, /protocol="kserve_grpc",code="DEADLINE_EXCEEDED"\} (\d+)/) >= 1, requests);
      assert.match(requests, /protocol="kserve_http",code="DEADLINE_EXCEEDED"\} 1/);
      assert.match(requests, /protocol="kserve_http",code="CANCELLED"\} 1/);
    } finally {
      published.close();
      http1.close();
    }
  });

  it('refuses over --max_queue_size with UNAVAILABLE (HTTP 503) naming the limit', async () => {
    const t = await startTestServer({ flags: ['--inline_max_rows', '0', '--batching', 'off', '--max_queue_size', '1'] });
    servers.push(t);
    const model = t.server.predictor.listModels()[0].name;
    const gate = gateRuns(innerEngineOf(t.server));
    const grpcClient = KServeGrpcClient.connect(t.target);
    const httpClient = KServeHttpClient.connect(t.target);
    try {
      const running = grpcClient.infer(model, criteoFeed(1));
      await gate.whenHeld(1);
      const queued = httpClient.infer(model, criteoFeed(1));
      for (let i = 0; i < 200 && t.server.predictor.inFlight < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      const message = `queue full for model "${model}" (maxQueueSize=1); retry later`;
      await assert.rejects(grpcClient.infer(model, criteoFeed(1)), (e: unknown) => e instanceof ServingError && e.code === Code.UNAVAILABLE && e.rawMessage === message);
      await assert.rejects(httpClient.infer(model, criteoFeed(1)), (e: unknown) => e instanceof ServingError && e.code === Code.UNAVAILABLE && e.rawMessage === message);
      gate.open();
      assert.equal((await running).outputs.prob?.dims[0] ?? (await running).outputs['sigmoid_0.tmp_0'].dims[0], 1);
      await queued;
    } finally {
      gate.restore();
      grpcClient.close();
      httpClient.close();
    }
  });

  it('finishes accepted OIP requests on stop() and refuses new ones', async () => {
    const t = await startTestServer({ flags: ['--inline_max_rows', '0', '--batching', 'off', '--shutdown_grace_ms', '30000'] });
    const model = t.server.predictor.listModels()[0].name;
    const gate = gateRuns(innerEngineOf(t.server));
    const grpcClient = KServeGrpcClient.connect(t.target);
    const httpClient = KServeHttpClient.connect(t.target);
    try {
      const accepted = [grpcClient.infer(model, criteoFeed(3)), httpClient.infer(model, criteoFeed(4))];
      for (let i = 0; i < 400 && t.server.predictor.inFlight < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(t.server.predictor.inFlight, 2);
      const stopping = t.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const late = KServeGrpcClient.connect(t.target);
      await assert.rejects(late.infer(model, criteoFeed(1)), (e: unknown) => e instanceof ServingError && e.code === Code.UNAVAILABLE);
      late.close();
      gate.open();
      const [g, h] = await Promise.all(accepted);
      assert.deepEqual(Object.values(g.outputs).map((o) => o.dims), [[3, 1]]);
      assert.deepEqual(Object.values(h.outputs).map((o) => o.dims), [[4, 1]]);
      await stopping;
    } finally {
      gate.restore();
      grpcClient.close();
      httpClient.close();
    }
  });
});
