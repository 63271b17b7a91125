/**
 * Overload protection beyond the queue length, through the real server (one worker): Paddle's
 * `--max_concurrency` (a per-process cap over every protocol, refusing at once with UNAVAILABLE)
 * and the batcher's `--max_queue_time_micros` (a queued request that waited too long fails with
 * UNAVAILABLE instead of running late). The only worker's run is held at a gate (run-gate.ts)
 * until the test opens it, so the others find the cap reached, or wait in the queue, whatever the
 * machine's speed.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadServeConfig } from '../../src/config/serve-config';
import { Code, ServingError } from '../../src/core/errors';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { BrpcErrno } from '../../src/paddle/brpc/brpc-codes';
import { PrpcFrameReader } from '../../src/paddle/brpc/prpc-frame';
import { decodeRpcMeta } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, paddleJsonBody, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { gateRuns, innerEngineOf } from '../helpers/run-gate';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CONCURRENCY_MESSAGE = 'too many concurrent requests (max_concurrency=2); retry later';

const scrape = async (t: TestServer) => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());

const waitFor = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 6000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), what);
};

function postJson(port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/GeneralModelService/inference', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function baiduStd(port: number, payload: Uint8Array): Promise<{ errorCode: number; errorText?: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const reader = new PrpcFrameReader(1 << 30);
    socket.on('data', (chunk: Buffer) => {
      const [frame] = reader.push(chunk);
      if (frame === undefined) return;
      const meta = decodeRpcMeta(frame.meta);
      socket.destroy();
      resolve({ errorCode: meta.response?.error_code ?? 0, errorText: meta.response?.error_text });
    });
    socket.on('error', reject);
    socket.write(prpcFrame(payload, { correlationId: 1 }));
  });
}

describe('overload protection', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('--max_concurrency caps requests in flight over every protocol and refuses the rest at once', { timeout: 60_000 }, async () => {
    const fixture = makeAliasedDeepFmDir();
    const t = await startTestServer({ modelDir: fixture.dir, flags: ['--inline_max_rows', '0', '--max_concurrency', '2', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const port = t.server.port;
    // The two held requests keep both slots until the gate opens: the first runs at the gate, the second queues behind it.
    const gate = gateRuns(innerEngineOf(t.server));
    // Two slots taken by two protocols: a gRPC Predict call and a baidu_std request.
    let blockersDone = 0;
    const blockers = [
      t.client.predict(criteoFeed(3)).finally(() => blockersDone++),
      baiduStd(port, paddleProtoBody(criteoFeed(3))).finally(() => blockersDone++),
    ];
    await waitFor(() => t.server.predictor.inFlight === 2, 'both held requests are in flight');

    // Over the cap, each protocol is refused at once with UNAVAILABLE and the cap in the message.
    await assert.rejects(t.client.predict(criteoFeed(1)), (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(Code[error.code], 'UNAVAILABLE');
      assert.equal(error.rawMessage, CONCURRENCY_MESSAGE);
      return true;
    });
    const httpAnswer = await postJson(port, paddleJsonBody(criteoFeed(1), { fetch: ['prob'] }));
    assert.equal(httpAnswer.status, 503);
    assert.equal(httpAnswer.text.trim(), CONCURRENCY_MESSAGE);
    const prpcAnswer = await baiduStd(port, paddleProtoBody(criteoFeed(1)));
    assert.equal(prpcAnswer.errorCode, BrpcErrno.ELOGOFF);
    assert.equal(prpcAnswer.errorText, CONCURRENCY_MESSAGE);
    const raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const paddleGrpc = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(GRPC_INFERENCE_PATH, (b: Buffer) => b, (b: Buffer) => b, paddleProtoBody(criteoFeed(1)), (error) => resolve(error));
    });
    raw.close();
    assert.equal(paddleGrpc?.code, grpc.status.UNAVAILABLE);
    assert.equal(paddleGrpc?.details, CONCURRENCY_MESSAGE);
    assert.equal(blockersDone, 0, 'the refusals came back while both slots were still taken (not after waiting for them)');

    // Once the slots free up, requests are served again.
    gate.open();
    const [grpcBlocker, prpcBlocker] = await Promise.all(blockers);
    assert.equal(Object.values((grpcBlocker as Awaited<ReturnType<TestServer['client']['predict']>>).outputs)[0].dims[0], 3);
    assert.equal((prpcBlocker as { errorCode: number }).errorCode, 0);
    assert.equal(t.server.predictor.inFlight, 0);
    await t.client.predict(criteoFeed(3));
    assert.equal((await postJson(port, paddleJsonBody(criteoFeed(2), { fetch: ['prob'] }))).status, 200);

    const metrics = await scrape(t);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'UNAVAILABLE' }), 4);
    for (const protocol of ['grpc', 'paddle_http', 'baidu_std', 'paddle_grpc']) {
      assert.equal(sampleValue(metrics, 'ctr_requests_total', { protocol, code: 'UNAVAILABLE' }), 1, protocol);
    }
    assert.equal(sampleValue(metrics, 'nv_inference_request_success'), 4);
  });

  it('--max_concurrency refuses gRPC, HTTP and baidu_std calls before their body is read, and counts them', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--inline_max_rows', '0', '--max_concurrency', '1', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const port = t.server.port;
    const gate = gateRuns(innerEngineOf(t.server));
    const blocker = t.client.predict(criteoFeed(2));
    await waitFor(() => t.server.predictor.inFlight === 1, 'the held request takes the one slot');
    const message = 'too many concurrent requests (max_concurrency=1); retry later';

    // HTTP: a body declared as 1 MB of which 100 bytes were sent is answered 503 without waiting for the rest.
    const httpAnswer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes(message)) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.write('POST /GeneralModelService/inference HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n' + '{'.repeat(100));
    });
    assert.match(httpAnswer, /^HTTP\/1\.1 503 /);

    // gRPC (Paddle's inference on the fast route): a message declared as 1 MB of which 100 bytes were sent gets UNAVAILABLE.
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': GRPC_INFERENCE_PATH, 'content-type': 'application/grpc' });
      stream.on('response', (headers) => { if (headers['grpc-status'] !== undefined) resolve(headers); });
      stream.on('trailers', resolve);
      stream.on('error', reject);
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(1_000_000, 1);
      stream.write(Buffer.concat([prefix, Buffer.alloc(100)]));
    });
    session.close();
    assert.equal(trailers['grpc-status'], String(grpc.status.UNAVAILABLE));
    assert.equal(decodeURIComponent(String(trailers['grpc-message'])), message);

    // baidu_std: a frame whose meta is in but whose 1 MB payload is not is answered ELOGOFF at once;
    // the rest of its payload is discarded as it arrives and the connection keeps serving.
    const socket = net.connect({ host: '127.0.0.1', port });
    const reader = new PrpcFrameReader(1 << 30);
    const answers: Array<{ correlationId: number; errorCode: number; errorText?: string }> = [];
    let wake: (() => void) | undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const meta = decodeRpcMeta(frame.meta);
        answers.push({ correlationId: Number(meta.correlation_id), errorCode: meta.response?.error_code ?? 0, errorText: meta.response?.error_text });
      }
      wake?.();
    });
    const answered = async (count: number) => {
      while (answers.length < count) await new Promise<void>((resolve) => { wake = resolve; });
    };
    const big = prpcFrame(Buffer.alloc(1_000_000, 0x0a), { correlationId: 7 });
    const metaEnd = 12 + big.readUInt32BE(8);
    socket.write(big.subarray(0, metaEnd + 100));
    await answered(1);
    assert.deepEqual(answers[0], { correlationId: 7, errorCode: BrpcErrno.ELOGOFF, errorText: message });

    gate.open();
    await blocker;
    socket.write(big.subarray(metaEnd + 100));
    socket.write(prpcFrame(paddleProtoBody(criteoFeed(2)), { correlationId: 8 }));
    await answered(2);
    assert.deepEqual(answers[1], { correlationId: 8, errorCode: 0, errorText: undefined }, 'the next frame on the connection is served');
    socket.destroy();

    const metrics = await scrape(t);
    for (const protocol of ['paddle_http', 'paddle_grpc', 'baidu_std']) {
      assert.equal(sampleValue(metrics, 'ctr_requests_total', { protocol, code: 'UNAVAILABLE' }), 1, protocol);
    }
  });

  it('--max_queue_time_micros rejects requests that waited too long in the queue, counted as drops', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--inline_max_rows', '0', '--max_queue_time_micros', '20000', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const gate = gateRuns(innerEngineOf(t.server));
    let blockerDone = false;
    const blocker = t.client.predict(criteoFeed(2)).finally(() => { blockerDone = true; });
    await gate.whenHeld(1); // the only worker's slot is taken until the gate opens
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => t.client.predict(criteoFeed(2))));
    assert.equal(blockerDone, false, 'the queued requests were refused while the worker was still busy');
    assert.equal(gate.held, 1, 'none of the expired requests reached the engine');
    const modelName = t.server.predictor.model().name;
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const error = (outcome as PromiseRejectedResult).reason;
      assert.ok(error instanceof ServingError);
      assert.equal(Code[error.code], 'UNAVAILABLE');
      assert.match(error.rawMessage, new RegExp(`^request waited (\\d+) µs in the queue for model "${modelName}" \\(max_queue_time_micros=20000\\); retry later$`));
      assert.ok(Number(/waited (\d+)/.exec(error.rawMessage)![1]) > 20000);
    }
    gate.open();
    await blocker;
    await t.client.predict(criteoFeed(2));
    const metrics = await scrape(t);
    assert.equal(sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'UNAVAILABLE' }), 5);
    assert.equal(sampleValue(metrics, 'nv_inference_request_failure', { reason: 'UNAVAILABLE' }), 5);
    assert.equal(sampleValue(metrics, 'nv_inference_exec_count'), 2, 'the expired requests never ran');
  });

  it('--max_queue_time_micros refuses at arrival a request the measured backlog would hold past the limit', { timeout: 60_000 }, async () => {
    // One worker, one 2-row request per run: a burst is a backlog the batcher drains run by run.
    const t = await startTestServer({ flags: ['--thread', '1', '--inline_max_rows', '0', '--max_batch_size', '2', '--max_queue_size', '1024', '--max_queue_time_micros', '2000'] });
    servers.push(t);
    const burst = () => Promise.allSettled(Array.from({ length: 600 }, () => t.client.predict(criteoFeed(2))));
    // The first burst measures the drain rate (runs that complete with requests still queued);
    // from then on, requests arriving behind more than ~2 ms of queued rows are refused at once.
    await burst();
    const second = await burst();
    const reasons = (outcomes: typeof second) => outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    const arrivalRefusal = /^queue for model "[^"]+" holds (\d+) rows, about (\d+) µs of work at the measured (\d+) rows\/s, more than max_queue_time_micros=2000; retry later$/;
    const refusedAtArrival = reasons(second).filter((e): e is ServingError => e instanceof ServingError && arrivalRefusal.test(e.rawMessage));
    assert.ok(refusedAtArrival.length > 0, `some of the second burst were refused at arrival; got ${JSON.stringify(reasons(second).slice(0, 3).map(String))}`);
    for (const error of refusedAtArrival) {
      assert.equal(Code[error.code], 'UNAVAILABLE');
      const [, rows, waitMicros, rate] = arrivalRefusal.exec(error.rawMessage)!.map(Number);
      assert.ok(waitMicros > 2000, `predicted wait ${waitMicros} µs is over the limit`);
      assert.ok(Math.abs((rows + 2) / rate * 1e6 - waitMicros) <= 1 + waitMicros * 0.01, 'the wait is the queued rows (plus its own) over the measured rate');
    }
    for (const error of reasons(second)) assert.equal(Code[(error as ServingError).code], 'UNAVAILABLE', String(error));
    assert.ok(second.some((o) => o.status === 'fulfilled'), 'the requests ahead of the backlog were served');
  });

  it('takes --max_concurrency and --max_queue_time_micros from the command line, and names bad values', () => {
    const config = loadServeConfig(['--max_concurrency', '64', '--max_queue_time_micros', '50000'], {}, 2);
    assert.equal(config.ops.maxConcurrency, 64);
    assert.equal(config.batching.maxQueueTimeMicros, 50000);
    const defaults = loadServeConfig([], {}, 2);
    assert.equal(defaults.ops.maxConcurrency, 0);
    assert.equal(defaults.batching.maxQueueTimeMicros, 0);
    assert.throws(() => loadServeConfig(['--max_concurrency', '-1'], {}, 2), /--max_concurrency must be an integer >= 0; got -1/);
    assert.throws(() => loadServeConfig(['--max_queue_time_micros', '500', '--max_queue_delay_micros', '1000'], {}, 2),
      /--max_queue_time_micros must be 0 \(off\) or larger than --max_queue_delay_micros \(1000\); got 500/);
  });
});
