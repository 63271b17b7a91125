/**
 * Request metrics for every front end through the real server: known traffic on rec_serving's
 * Predict, Paddle's HTTP/1.1 (JSON, raw and through rec-client's `web` alias), Paddle's gRPC and
 * baidu_std, then GET /metrics: Triton's counters count every protocol together and
 * `ctr_requests_total{protocol,code}` splits them.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { TRANSPORTS, createTransport } from '../../src/client/transports';
import { parsePrometheusText, sampleValue, type Sample } from '../../benchmarks/lib/parse-prometheus-text';
import { PrpcFrameReader } from '../../src/paddle/brpc/prpc-frame';
import { decodePaddleResponse, decodeRpcMeta } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, assertClose, expectedScores, paddleJsonBody, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('metrics count every protocol', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir, flags: ['--enable_prometheus', '--prometheus_port', '0'] });
  });
  after(() => t.stop());

  const scrape = async (): Promise<Sample[]> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());

  const postJson = (body: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, path: '/GeneralModelService/inference', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });

  const paddleGrpc = (raw: grpc.Client, body: Uint8Array) => new Promise<{ error: grpc.ServiceError | null; bytes?: Buffer }>((resolve) => {
    raw.makeUnaryRequest(GRPC_INFERENCE_PATH, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (error, bytes) => resolve({ error, bytes }));
  });

  const baiduStd = (frames: Buffer[]) => new Promise<Array<{ errorCode: number; body: Buffer }>>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: t.server.port });
    const reader = new PrpcFrameReader(1 << 30);
    const answers: Array<{ errorCode: number; body: Buffer }> = [];
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) answers.push({ errorCode: decodeRpcMeta(frame.meta).response?.error_code ?? 0, body: frame.body });
      if (answers.length === frames.length) {
        socket.destroy();
        resolve(answers);
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.concat(frames));
  });

  it('counts Predict, Paddle HTTP, Paddle gRPC and baidu_std calls, successes and failures', async () => {
    const feeds = [criteoFeed(2), criteoFeed(3, 1000, 4), criteoFeed(4, 1000, 9)];
    // rec_serving Predict over gRPC: 1 success (2 rows).
    await t.client.predict(feeds[0]);
    // Paddle HTTP/1.1 JSON: 2 successes (3 + 4 rows) and 1 body that is not JSON.
    for (const feed of feeds.slice(1)) {
      const answer = await postJson(paddleJsonBody(feed, { fetch: ['prob'] }));
      assert.equal(answer.status, 200, answer.text);
      assertClose(JSON.parse(answer.text).outputs[0].tensor[0].float_data, expectedScores(fixture.model.weights, feed), 'http float_data');
    }
    assert.equal((await postJson('{"tensor": [')).status, 400);
    // rec-client's `web` mode (PaddleRec rec_client.py) is Paddle HTTP: 1 success (2 rows).
    const web = createTransport('web', t.target, 10_000);
    try {
      const result = await web.predict(feeds[0], ['prob'], 1);
      assertClose(Array.from(result.outputs.prob.data as Float32Array), expectedScores(fixture.model.weights, feeds[0]), 'web float_data');
    } finally {
      web.close();
    }
    // Paddle gRPC: 1 success (3 rows) and 1 undecodable body.
    const raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
    try {
      const ok = await paddleGrpc(raw, paddleProtoBody(feeds[1], { fetch: ['prob'] }));
      assert.equal(ok.error, null);
      assertClose(Array.from(decodePaddleResponse(ok.bytes!).outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feeds[1]), 'grpc float_data');
      const bad = await paddleGrpc(raw, Buffer.from([0xff, 0xff, 0xff]));
      assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
    // baidu_std: 2 successes (4 + 2 rows) and 1 request with a feed of the wrong width.
    const wrong = criteoFeed(1);
    wrong.dense_input = { dtype: 'float32', dims: [1, 12], data: new Float32Array(12) };
    const answers = await baiduStd([
      prpcFrame(paddleProtoBody(feeds[2]), { correlationId: 1 }),
      prpcFrame(paddleProtoBody(feeds[0]), { correlationId: 2 }),
      prpcFrame(paddleProtoBody(wrong), { correlationId: 3 }),
    ]);
    assert.deepEqual(answers.map((a) => a.errorCode === 0).sort(), [false, true, true]);

    const metrics = await scrape();
    const byProtocol = (protocol: string, code: string) => sampleValue(metrics, 'ctr_requests_total', { protocol, code });
    assert.equal(byProtocol('grpc', 'OK'), 1);
    assert.equal(byProtocol('paddle_http', 'OK'), 3);
    assert.equal(byProtocol('paddle_http', 'INVALID_ARGUMENT'), 1);
    assert.equal(byProtocol('paddle_grpc', 'OK'), 1);
    assert.equal(byProtocol('paddle_grpc', 'INVALID_ARGUMENT'), 1);
    assert.equal(byProtocol('baidu_std', 'OK'), 2);
    assert.equal(byProtocol('baidu_std', 'INVALID_ARGUMENT'), 1);
    // Triton's counters: every protocol together, under the model's labels.
    const model = { model: t.server.predictor.model().name, version: t.server.predictor.model().version };
    assert.equal(sampleValue(metrics, 'nv_inference_request_success', model), 7);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'INVALID_ARGUMENT' }), 3);
    assert.equal(sampleValue(metrics, 'nv_inference_count', model), 2 + 3 + 4 + 2 + 3 + 4 + 2);
    assert.equal(sampleValue(metrics, 'ctr_request_duration_seconds_count', model), 7);
    assert.ok(sampleValue(metrics, 'nv_inference_request_duration_us', model) > 0);
  });

  it('rec-client accepts PaddleRec\'s `web` as the http mode and lists it', () => {
    assert.equal(TRANSPORTS.web, TRANSPORTS.http);
    assert.throws(() => createTransport('websocket', t.target, 0), /unknown --client_mode "websocket"; supported: grpc, paddle-grpc, http, rpc, web/);
  });
});
