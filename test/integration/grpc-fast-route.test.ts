/**
 * Predict and Paddle's inference are served straight on node:http2 ahead of grpc-js: the route is
 * installed, real grpc-js clients (identity and gzip-compressed requests) get the same answers and
 * status codes grpc-js would give, deadlines travel in `grpc-timeout`, oversized and malformed
 * bodies get precise errors, and the other services on the port (health) still answer.
 */
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { toLittleEndianBytes } from '../../src/core/tensor';
import { DTYPE_TO_WIRE, PREDICT_PATH, decodePredictResponse, encodePredictRequest } from '../../src/protocol/predict-messages';
import { criteoFeed } from '../helpers/feeds';
import { GRPC_INFERENCE_PATH, paddleProtoBody } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

function predictBody(rows: number): Buffer {
  const feed = criteoFeed(rows);
  return encodePredictRequest({
    inputs: Object.entries(feed).map(([name, t]) => ({ name, dtype: DTYPE_TO_WIRE[t.dtype], shape: [...t.dims], rawData: toLittleEndianBytes(t.data) })),
    outputNames: [],
  });
}

function call(client: grpc.Client, path: string, body: Buffer, options: grpc.CallOptions = {}): Promise<{ error: grpc.ServiceError | null; bytes?: Buffer }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), options, (error, bytes) => resolve({ error, bytes }));
  });
}

/** One raw HTTP/2 request: what a client that is not quite gRPC would send. */
function rawRequest(port: number, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', te: 'trailers', ...headers });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => { responseHeaders = h; });
    stream.on('trailers', (t) => { trailers = t; });
    stream.on('data', () => undefined);
    stream.on('close', () => { session.close(); resolve({ headers: responseHeaders, trailers }); });
    stream.end(body);
  });
}

describe('fast gRPC route', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ flags: ['--max_body_size', '200000'] });
  });
  after(async () => t.stop());

  it('is installed for Predict and Paddle inference', () => {
    assert.equal(t.server.fastGrpcRoutes, true);
  });

  it('answers grpc-js clients, with identity and with gzip-compressed requests', async () => {
    for (const compression of [0, 2]) {
      const client = new grpc.Client(t.target, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': compression });
      const predicted = await call(client, PREDICT_PATH, predictBody(4));
      assert.equal(predicted.error, null, `compression ${compression}: ${predicted.error?.details}`);
      const response = decodePredictResponse(predicted.bytes!);
      assert.equal(response.outputs[0].shape.map(Number)[0], 4);
      assert.ok(Number(response.timing!.endUs) >= Number(response.timing!.startUs));
      const paddle = await call(client, GRPC_INFERENCE_PATH, paddleProtoBody(criteoFeed(3)));
      assert.equal(paddle.error, null, `compression ${compression}: ${paddle.error?.details}`);
      client.close();
    }
  });

  it('gives INVALID_ARGUMENT with the message, percent-encoding intact, for a bad request', async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const { error } = await call(client, PREDICT_PATH, Buffer.from([0x0a, 0xff, 0xff]));
    client.close();
    assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(error!.details, /request body is not a rec_serving\.v1\.PredictRequest/);
  });

  it('refuses a message over --max_body_size with RESOURCE_EXHAUSTED before reading it, and keeps serving', async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const big = await call(client, PREDICT_PATH, Buffer.alloc(300_000));
    assert.equal(big.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(big.error!.details, /300000 vs\. 200000/);
    assert.equal((await call(client, PREDICT_PATH, predictBody(2))).error, null);
    client.close();
  });

  it('fails a call whose deadline has passed with DEADLINE_EXCEEDED', async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const { error } = await call(client, PREDICT_PATH, predictBody(2), { deadline: Date.now() - 1 });
    client.close();
    assert.equal(error?.code, grpc.status.DEADLINE_EXCEEDED);
  });

  it('answers 415 to a non-gRPC content type and INTERNAL to a truncated message', async () => {
    const wrongType = await rawRequest(t.server.port, { ':path': PREDICT_PATH, 'content-type': 'application/json' }, Buffer.from('{}'));
    assert.equal(wrongType.headers[':status'], 415);
    const frame = Buffer.alloc(5 + 3);
    frame.writeUInt32BE(100, 1); // says 100 bytes, sends 3
    const truncated = await rawRequest(t.server.port, { ':path': PREDICT_PATH, 'content-type': 'application/grpc' }, frame);
    const status = truncated.trailers['grpc-status'] ?? truncated.headers['grpc-status'];
    assert.equal(Number(status), grpc.status.INTERNAL);
    assert.match(String(truncated.trailers['grpc-message'] ?? truncated.headers['grpc-message']), /truncated: got 3 of 100 bytes/);
  });

  it('leaves the other services to grpc-js: health answers SERVING', async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const { error, bytes } = await call(client, '/grpc.health.v1.Health/Check', Buffer.alloc(0));
    client.close();
    assert.equal(error, null);
    assert.deepEqual([...bytes!], [0x08, 0x01], 'status SERVING');
  });
});
