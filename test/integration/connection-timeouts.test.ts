/**
 * Timeouts and limits per connection on every protocol of the one port, through the real server
 * with short limits: slow HTTP headers (one byte at a time), HTTP bodies shorter than their
 * Content-Length, idle HTTP keep-alive, partial and idle baidu_std connections, idle h2c
 * sessions, gRPC streams opened without a body, and the advertised max concurrent streams.
 * Each connection must be closed (or the call answered) within its limit plus checking slack.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { criteoFeed } from '../helpers/feeds';
import { connectH2, grpcHeaders, readAnswer } from '../helpers/h2-raw';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';
import { startTestServer, type TestServer } from '../helpers/test-server';

const LIMIT_MS = 300;
/** A limit is met when the close comes before this (Node checks HTTP timeouts every LIMIT_MS / 4). */
const WITHIN_MS = 1500;
const PATH = '/GeneralModelService/inference';

interface Closed { readonly afterMs: number; readonly received: string }

function watch(socket: net.Socket): Promise<Closed> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve({ afterMs: Date.now() - started, received: Buffer.concat(chunks).toString('latin1') })));
}

describe('connection timeouts and limits', () => {
  let t: TestServer;
  const connect = () => net.connect({ host: '127.0.0.1', port: t.server.port });
  before(async () => {
    t = await startTestServer({
      modelDir: makeAliasedDeepFmDir().dir,
      flags: [
        '--http_header_timeout_ms', String(LIMIT_MS), '--http_request_timeout_ms', String(2 * LIMIT_MS), '--http_keepalive_timeout_ms', String(LIMIT_MS),
        '--baidu_std_frame_timeout_ms', String(LIMIT_MS), '--baidu_std_idle_timeout_ms', String(LIMIT_MS),
        '--h2_idle_timeout_ms', String(LIMIT_MS), '--grpc_stream_body_timeout_ms', String(LIMIT_MS), '--grpc_max_concurrent_streams', '64',
      ],
    });
  });
  after(() => t.stop());

  it('HTTP: headers sent one byte at a time (slowloris) get 408 and a close at the header timeout', { timeout: 5000 }, async () => {
    const socket = connect();
    const closed = watch(socket);
    const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`;
    let i = 0;
    const drip = setInterval(() => { if (i < head.length && !socket.destroyed) socket.write(head[i++]); }, 20);
    const result = await closed;
    clearInterval(drip);
    assert.ok(i < head.length, 'closed before the headers were complete');
    assert.ok(result.afterMs < WITHIN_MS, `closed after ${result.afterMs} ms`);
    assert.match(result.received, /^HTTP\/1\.1 408 /);
  });

  it('HTTP: a body shorter than its Content-Length gets 408 and a close at the request timeout', { timeout: 5000 }, async () => {
    const socket = connect();
    const closed = watch(socket);
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"feed":`);
    const result = await closed;
    assert.ok(result.afterMs < 2 * LIMIT_MS + WITHIN_MS, `closed after ${result.afterMs} ms`);
    assert.match(result.received, /^HTTP\/1\.1 408 /);
  });

  it('HTTP: an unterminated chunked body gets 408 and a close at the request timeout', { timeout: 5000 }, async () => {
    const socket = connect();
    const closed = watch(socket);
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"fee\r\n`);
    const result = await closed;
    assert.ok(result.afterMs < 2 * LIMIT_MS + WITHIN_MS, `closed after ${result.afterMs} ms`);
    assert.match(result.received, /^HTTP\/1\.1 408 /);
  });

  it('HTTP: an idle keep-alive connection is closed at the keep-alive timeout', { timeout: 5000 }, async () => {
    const socket = connect();
    const closed = watch(socket);
    const body = paddleProtoBody(criteoFeed(1));
    socket.write(Buffer.concat([Buffer.from(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/proto\r\nContent-Length: ${body.byteLength}\r\n\r\n`, 'latin1'), body]));
    const result = await closed;
    assert.match(result.received, /^HTTP\/1\.1 200 /);
    assert.ok(result.afterMs < WITHIN_MS, `closed after ${result.afterMs} ms`);
  });

  it('baidu_std: a partial frame closes the connection at the frame timeout', { timeout: 5000 }, async () => {
    const socket = connect();
    const closed = watch(socket);
    const frame = prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 1 });
    socket.write(frame.subarray(0, frame.byteLength - 3));
    const result = await closed;
    assert.ok(result.afterMs < WITHIN_MS, `closed after ${result.afterMs} ms`);
    assert.equal(result.received, '', 'nothing answered for an incomplete frame');
  });

  it('baidu_std: an idle connection is closed at the idle timeout, after its answers', { timeout: 5000 }, async () => {
    const connection = new RawConnection(t.server.port);
    const started = Date.now();
    connection.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 7 }));
    const [answer] = await connection.next();
    assert.equal(answer.meta.response?.error_code ?? 0, 0, answer.meta.response?.error_text);
    await connection.closed;
    assert.ok(Date.now() - started < WITHIN_MS, `closed after ${Date.now() - started} ms`);
  });

  it('h2c: an idle session gets GOAWAY (NO_ERROR) and closes at the idle timeout', { timeout: 5000 }, async () => {
    const started = Date.now();
    const session = await connectH2(t.target);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    session.on('error', () => undefined);
    assert.equal(await goaway, 0);
    await new Promise<void>((resolve) => { if (session.closed) resolve(); else session.once('close', () => resolve()); });
    assert.ok(Date.now() - started < WITHIN_MS, `closed after ${Date.now() - started} ms`);
  });

  it('gRPC: a stream opened without a body fails with DEADLINE_EXCEEDED at the stream body timeout; 64 streams are advertised', { timeout: 5000 }, async () => {
    const session = await connectH2(t.target);
    session.on('error', () => undefined);
    for (let i = 0; i < 100 && session.remoteSettings.maxConcurrentStreams !== 64; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(session.remoteSettings.maxConcurrentStreams, 64);
    const started = Date.now();
    const stream = session.request(grpcHeaders(GRPC_INFERENCE_PATH));
    const answer = await readAnswer(stream);
    assert.equal(answer.status, 4, `status ${answer.status} ${answer.message}`);
    assert.match(answer.message, /--grpc_stream_body_timeout_ms/);
    assert.ok(Date.now() - started < WITHIN_MS, `answered after ${Date.now() - started} ms`);
    session.close();
  });
});
