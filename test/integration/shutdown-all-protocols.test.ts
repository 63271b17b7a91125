/**
 * Graceful stop of the one-port server with HTTP/1.1 and baidu_std requests in flight: real
 * server, one worker, batching off, no gRPC call (grpc-js's own drain would mask the others). A
 * very large baidu_std request on its own connection occupies the worker first,
 * so the HTTP and baidu_std requests sent next are accepted and still queued behind it when
 * `stop()` is called. Every request accepted before the stop gets its prediction;
 * requests that arrive on an open connection while stopping are refused (HTTP 503, baidu_std
 * ELOGOFF = UNAVAILABLE); an idle keep-alive connection is closed at once, not at the end.
 * (An HTTP request whose body is still arriving when the stop begins is the late HTTP case: a
 * new request on a kept-alive connection cannot arrive, as the connection is closed when idle
 * and every response written while stopping says `Connection: close`.)
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { BrpcErrno } from '../../src/paddle/brpc/brpc-codes';
import { PrpcFrameReader } from '../../src/paddle/brpc/prpc-frame';
import { decodePaddleResponse, decodeRpcMeta, type RpcMeta } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { startTestServer } from '../helpers/test-server';

const PATH = '/GeneralModelService/inference';
/** Rows of the request that keeps the one worker busy (a few hundred ms on the tiny model). */
const BLOCKER_ROWS = 131072;
const ROWS = 8;
const HTTP_CALLS = 10;
const PRPC_CALLS = 10;

function rawHttpHead(body: Buffer): Buffer {
  return Buffer.from(`POST ${PATH} HTTP/1.1\r\nHost: test\r\nContent-Type: application/proto\r\nContent-Length: ${body.byteLength}\r\n\r\n`, 'latin1');
}

describe('graceful stop on every protocol of the one port', () => {
  it('answers every accepted HTTP and baidu_std request, refuses late ones, closes idle connections at once', { timeout: 120_000 }, async () => {
    const fixture = makeAliasedDeepFmDir();
    const t = await startTestServer({ modelDir: fixture.dir, flags: ['--batching', 'off', '--max_request_rows', String(BLOCKER_ROWS), '--max_body_size', String(64 << 20), '--shutdown_grace_ms', '60000'] });
    t.client.close();
    const port = t.server.port;
    const heavy = paddleProtoBody(criteoFeed(ROWS), { fetch: ['prob'] });
    let answered = 0;

    // An idle keep-alive HTTP connection: one small request, then nothing.
    const idleAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const idleSocket = await new Promise<net.Socket>((resolve, reject) => {
      let socket: net.Socket | undefined;
      const req = http.request({ host: '127.0.0.1', port, path: PATH, method: 'POST', agent: idleAgent, headers: { 'Content-Type': 'application/proto' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(socket!));
      });
      req.once('socket', (s) => { socket = s as net.Socket; });
      req.on('error', reject);
      req.end(paddleProtoBody(criteoFeed(1)));
    });
    let inFlightWhenIdleClosed = -1;
    const idleClosed = new Promise<void>((resolve) => idleSocket.once('close', () => {
      inFlightWhenIdleClosed = t.server.predictor.inFlight;
      resolve();
    }));

    // The blocker: one baidu_std request that keeps the only worker busy.
    const blockerSocket = net.connect({ host: '127.0.0.1', port });
    const blocker = new Promise<{ meta: RpcMeta; body: Buffer }>((resolve, reject) => {
      const blockerReader = new PrpcFrameReader(1 << 30);
      blockerSocket.on('data', (chunk: Buffer) => {
        for (const frame of blockerReader.push(chunk)) {
          answered++;
          resolve({ meta: decodeRpcMeta(frame.meta), body: frame.body });
        }
      });
      blockerSocket.on('error', reject);
    });
    const blockerClosed = new Promise<void>((resolve) => blockerSocket.once('close', () => resolve()));
    blockerSocket.write(prpcFrame(paddleProtoBody(criteoFeed(BLOCKER_ROWS), { fetch: ['prob'] }), { correlationId: 1 }));
    for (let i = 0; i < 6000 && t.server.predictor.inFlight < 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));

    // HTTP requests on keep-alive connections.
    const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CALLS });
    const httpCalls = Array.from({ length: HTTP_CALLS }, () => new Promise<{ status: number; body: Buffer; connection?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: PATH, method: 'POST', agent, headers: { 'Content-Type': 'application/proto' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answered++;
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks), connection: res.headers.connection });
        });
      });
      req.on('error', reject);
      req.end(heavy);
    }));

    // baidu_std frames on one connection.
    const prpc = net.connect({ host: '127.0.0.1', port });
    const reader = new PrpcFrameReader(1 << 30);
    const prpcAnswers = new Map<number, { meta: RpcMeta; body: Buffer }>();
    prpc.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const meta = decodeRpcMeta(frame.meta);
        prpcAnswers.set(Number(meta.correlation_id), { meta, body: frame.body });
        answered++;
      }
    });
    const prpcClosed = new Promise<void>((resolve) => prpc.once('close', () => resolve()));
    prpc.write(Buffer.concat(Array.from({ length: PRPC_CALLS }, (_, i) => prpcFrame(heavy, { correlationId: i + 1 }))));

    // One raw HTTP request whose headers and half its body arrive now, the rest after the stop began.
    const lateBody = paddleProtoBody(criteoFeed(1));
    const partial = net.connect({ host: '127.0.0.1', port });
    const partialChunks: Buffer[] = [];
    partial.on('data', (c: Buffer) => partialChunks.push(c));
    partial.on('error', () => undefined);
    const partialClosed = new Promise<void>((resolve) => partial.once('close', () => resolve()));
    partial.write(Buffer.concat([rawHttpHead(lateBody), lateBody.subarray(0, 10)]));

    // Wait until every request has been accepted (inside the core, or already answered).
    const total = 1 + HTTP_CALLS + PRPC_CALLS;
    for (let i = 0; i < 6000 && t.server.predictor.inFlight + answered < total; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(t.server.predictor.inFlight, total, `every request is accepted and none answered yet (answered: ${answered}); the blocker must outlast sending ${total - 1} small requests`);

    const stopped = t.server.stop();
    // Late requests on connections that are still open (they have answers pending).
    prpc.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 999 }));
    partial.write(lateBody.subarray(10));

    const httpAnswers = await Promise.all(httpCalls);
    const blocked = await blocker;
    await Promise.all([stopped, prpcClosed, partialClosed, idleClosed, blockerClosed]);
    agent.destroy();
    idleAgent.destroy();

    assert.equal(blocked.meta.response?.error_code ?? 0, 0, blocked.meta.response?.error_text);
    assert.equal(decodePaddleResponse(blocked.body).outputs[0].tensor[0].shape![0], BLOCKER_ROWS, 'the request running at the stop completed');
    for (const answer of httpAnswers) {
      assert.equal(answer.status, 200, answer.body.toString());
      assert.equal(decodePaddleResponse(answer.body).outputs[0].tensor[0].shape![0], ROWS);
    }
    for (let id = 1; id <= PRPC_CALLS; id++) {
      const answer = prpcAnswers.get(id);
      assert.ok(answer !== undefined, `baidu_std request ${id} was answered`);
      assert.equal(answer.meta.response?.error_code ?? 0, 0, answer.meta.response?.error_text);
      assert.equal(decodePaddleResponse(answer.body).outputs[0].tensor[0].shape![0], ROWS);
    }
    const late = prpcAnswers.get(999);
    assert.ok(late !== undefined, 'the late baidu_std request got an answer before the connection closed');
    assert.equal(late.meta.response?.error_code, BrpcErrno.ELOGOFF);
    assert.equal(late.meta.response?.error_text, 'server is stopping; not accepting new requests');

    const raw = Buffer.concat(partialChunks).toString('latin1');
    assert.match(raw, /^HTTP\/1\.1 503 /, 'the request completed after the stop began is refused');
    assert.match(raw, /server is stopping; not accepting new requests/);
    assert.match(raw, /[Cc]onnection: close/);
    for (const answer of httpAnswers) assert.equal(answer.connection, 'close', 'responses written while stopping close their connection');

    assert.ok(inFlightWhenIdleClosed > 0, `the idle connection was closed while work was still in flight (in flight then: ${inFlightWhenIdleClosed})`);
  });
});
