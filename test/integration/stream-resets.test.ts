/**
 * Cancelled calls are normal traffic: a client that resets thousands of gRPC streams on one
 * connection (deadlines passing under load) must never see another call fail for it. Node 20's
 * nghttp2 answers more than ~1000 client resets on one connection with GOAWAY INTERNAL_ERROR,
 * which makes Node and grpc-js clients fail every call in flight there; the server closes such a
 * connection gracefully first (GOAWAY NO_ERROR): calls in flight finish, new calls reconnect.
 */
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodePaddleResponse } from '../../src/paddle/service/paddle-messages';
import { Code, ServingError } from '../../src/core/errors';
import { criteoFeed } from '../helpers/feeds';
import { connectH2, grpcHeaders, grpcMessage, rawUnary } from '../helpers/h2-raw';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, paddleProtoBody } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

const RESETS = 3000;
const WAVE = 100;

describe('client stream resets on one connection', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ modelDir: makeAliasedDeepFmDir().dir, flags: ['--max_request_rows', '65536', '--max_body_size', String(64 << 20)] });
  });
  after(() => t.stop());

  it(`${RESETS} streams reset by the client: no GOAWAY with an error, the call in flight completes, the next call succeeds`, { timeout: 60_000 }, async () => {
    const session = await connectH2(t.target);
    const goaways: number[] = [];
    session.on('goaway', (code: number) => { goaways.push(code); });
    session.on('error', () => undefined);
    const inFlight = rawUnary(session, GRPC_INFERENCE_PATH, paddleProtoBody(criteoFeed(65536), { fetch: ['prob'] }));
    const body = grpcMessage(paddleProtoBody(criteoFeed(1), { fetch: ['prob'] }));
    for (let sent = 0; sent < RESETS && !session.closed && !session.destroyed; sent += WAVE) {
      const closed: Array<Promise<void>> = [];
      for (let i = 0; i < WAVE && !session.closed; i++) {
        const stream = session.request(grpcHeaders(GRPC_INFERENCE_PATH, { 'grpc-timeout': '50m' }));
        stream.on('error', () => undefined);
        closed.push(new Promise((resolve) => stream.once('close', () => resolve())));
        stream.write(body);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
      await Promise.all(closed);
    }
    assert.deepEqual(goaways.filter((code) => code !== http2.constants.NGHTTP2_NO_ERROR), [], 'no GOAWAY with an error code');
    const long = await inFlight;
    assert.equal(long.status, 0, `the call in flight completed: status ${long.status} ${long.message} (rst ${long.rstCode})`);
    assert.equal(decodePaddleResponse(long.body.subarray(5)).outputs[0].tensor[0].shape![0], 65536);
    const next = session.closed ? await connectH2(t.target) : session;
    const answer = await rawUnary(next, GRPC_INFERENCE_PATH, paddleProtoBody(criteoFeed(2), { fetch: ['prob'] }));
    assert.equal(answer.status, 0, `status ${answer.status} ${answer.message} (rst ${answer.rstCode})`);
    session.close();
    next.close();
  });

  it('64 grpc-js callers with 1 ms deadlines on one channel: every call is OK or DEADLINE_EXCEEDED, then a normal call succeeds', { timeout: 60_000 }, async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const body = Buffer.from(paddleProtoBody(criteoFeed(1), { fetch: ['prob'] }));
    const call = (deadlineMs: number) => new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest(GRPC_INFERENCE_PATH, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + deadlineMs }, (error) => resolve(error));
    });
    const codes = new Map<number, number>();
    let calls = 0;
    const until = Date.now() + 4000;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (Date.now() < until && calls < 6000) {
        calls++;
        const error = await call(1);
        const code = error?.code ?? grpc.status.OK;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }));
    const deadlines = codes.get(grpc.status.DEADLINE_EXCEEDED) ?? 0;
    assert.ok(deadlines > 1200, `enough calls were cancelled to pass nghttp2's reset limit (${deadlines} of ${calls})`);
    const others = [...codes].filter(([code]) => code !== grpc.status.OK && code !== grpc.status.DEADLINE_EXCEEDED);
    assert.deepEqual(others, [], `codes other than OK and DEADLINE_EXCEEDED: ${JSON.stringify([...codes])}`);
    assert.equal(await call(10_000), null, 'a call with a normal deadline succeeds');
    client.close();
  });

  it('64 RecServingClient callers with 1 ms deadlines: every call is OK or DEADLINE_EXCEEDED', {
    timeout: 60_000,
  }, async () => {
    const feed = criteoFeed(1);
    const codes = new Map<string, number>();
    const until = Date.now() + 4000;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (Date.now() < until) {
        const code = await t.client.predict(feed, [], { deadlineMs: 1 }).then(() => 'OK', (error: unknown) => (error instanceof ServingError ? Code[error.code] : String(error)));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }));
    const others = [...codes].filter(([code]) => code !== 'OK' && code !== 'DEADLINE_EXCEEDED');
    assert.deepEqual(others, [], `codes: ${JSON.stringify([...codes])}`);
  });
});
