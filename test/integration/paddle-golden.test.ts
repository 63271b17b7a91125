/**
 * Replays the exact bytes Paddle Serving's own Python HttpClient sent in each of its four modes
 * (captured by a proxy; see ../shared/data/paddle-golden/README.md) through the real server on
 * the default DeepFM the captures were answered by, and checks each answer field by field against
 * what that client parsed. Responses are read with field numbers from Paddle's proto, not ours.
 * The encoder-built tests in paddle-http/paddle-grpc/paddle-rpc cover what the captures don't.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { HostTensor } from '../../src/core/tensor';
import {
  SKIP_WITHOUT_PADDLE_GOLDEN, loadGoldenCaptures, makeDefaultDeepFmDir, readGoldenRequest, readPaddleResponseWire,
  type GoldenCaptures, type GoldenMode, type WireTensor,
} from '../helpers/paddle-golden';
import { paddleProtoBody, paddleRequestObject } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The client printed 6 decimals; float32 scores from the same weights agree well within this. */
const PROBABILITY_TOLERANCE = 2e-6;
const LOG_ID = 7;
const OUTPUT = 'sigmoid_0.tmp_0';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

describe('Paddle HttpClient captures replayed through the real server', { skip: SKIP_WITHOUT_PADDLE_GOLDEN }, () => {
  let t: TestServer;
  let captures: GoldenCaptures;

  const replayHttp = (mode: GoldenMode) => new Promise<Answer>((resolve, reject) => {
    const capture = captures.modes[mode];
    const body = readGoldenRequest(captures, mode);
    const req = http.request({
      host: '127.0.0.1', port: t.server.port, method: 'POST', path: capture.path,
      headers: { ...capture.headers, 'Content-Length': String(body.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });

  /** The body as the HttpClient reads it: inflated when the server says it is gzip. */
  const inflated = (answer: Answer): Buffer => (answer.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(answer.body) : answer.body);

  const assertScores = (actual: readonly number[], mode: GoldenMode): void => {
    const expected = captures.modes[mode].client_parsed_probabilities;
    assert.equal(actual.length, expected.length, `${mode}: ${actual.length} scores`);
    actual.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) <= PROBABILITY_TOLERANCE, `${mode} row ${i}: ${p} vs the client's ${expected[i]}`));
  };

  const assertOutputTensor = (tensor: WireTensor, mode: GoldenMode): void => {
    assert.equal(tensor.name, OUTPUT, mode);
    assert.equal(tensor.aliasName, OUTPUT, mode);
    assert.equal(tensor.elemType, 1, `${mode}: FLOAT32`);
    assert.deepEqual(tensor.shape, [5, 1], mode);
    assertScores(tensor.floatData, mode);
  };

  const assertProtoResponse = (bytes: Buffer, mode: GoldenMode): void => {
    const response = readPaddleResponseWire(bytes);
    assert.equal(response.errNo, 0, `${mode}: ${response.errMsg}`);
    assert.equal(response.outputs.length, 1, mode);
    assert.equal(response.outputs[0]!.engineName, 'GeneralInferOp_0', mode);
    assert.equal(response.outputs[0]!.tensors.length, 1, mode);
    assertOutputTensor(response.outputs[0]!.tensors[0]!, mode);
    assert.equal(response.logId, BigInt(LOG_ID), mode);
    assert.equal(response.profileTime.length, 2, mode);
    assert.ok(response.profileTime[1]! >= response.profileTime[0]!, `${mode}: profile_time ${response.profileTime.join(',')}`);
  };

  const assertJsonResponse = (text: string, mode: GoldenMode): void => {
    const json = JSON.parse(text) as {
      outputs: Array<{ tensor: Array<{ float_data: number[]; elem_type: number; shape: number[]; name: string; alias_name: string }>; engine_name: string }>;
      profile_time: number[];
      log_id: number;
    };
    assert.deepEqual(Object.keys(json), ['outputs', 'profile_time', 'log_id'], mode);
    assert.equal(json.outputs.length, 1, mode);
    assert.equal(json.outputs[0]!.engine_name, 'GeneralInferOp_0', mode);
    assert.equal(json.outputs[0]!.tensor.length, 1, mode);
    const tensor = json.outputs[0]!.tensor[0]!;
    assertOutputTensor({ floatData: tensor.float_data, elemType: tensor.elem_type, shape: tensor.shape, name: tensor.name, aliasName: tensor.alias_name }, mode);
    assert.equal(json.log_id, LOG_ID, mode);
    assert.equal(json.profile_time.length, 2, mode);
    assert.ok(json.profile_time[1]! >= json.profile_time[0]!, `${mode}: profile_time ${json.profile_time.join(',')}`);
  };

  before(async () => {
    captures = loadGoldenCaptures();
    t = await startTestServer({ modelDir: makeDefaultDeepFmDir() });
  });
  after(() => t?.stop());

  it('answers the HTTP proto capture with a serialized Response carrying the client\'s scores', async () => {
    const answer = await replayHttp('http-proto');
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/proto');
    assertProtoResponse(inflated(answer), 'http-proto');
  });

  it('answers the HTTP JSON capture with Paddle\'s JSON carrying the client\'s scores', async () => {
    const answer = await replayHttp('http-json');
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/json');
    assertJsonResponse(inflated(answer).toString('utf8'), 'http-json');
  });

  it('inflates the gzip JSON capture and gzips the answer the client asked to be compressed', async () => {
    const answer = await replayHttp('http-json-gzip');
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assertJsonResponse(zlib.gunzipSync(answer.body).toString('utf8'), 'http-json-gzip');
  });

  it('answers the gRPC capture on Paddle\'s gRPC path with a Response carrying the client\'s scores', async () => {
    const client = new grpc.Client(t.target, grpc.credentials.createInsecure());
    try {
      const bytes = await new Promise<Buffer>((resolve, reject) => {
        client.makeUnaryRequest(captures.modes.grpc.path, (b: Buffer) => b, (b: Buffer) => b, readGoldenRequest(captures, 'grpc'),
          (error, response) => (error ? reject(error) : resolve(response!)));
      });
      assertProtoResponse(bytes, 'grpc');
    } finally {
      client.close();
    }
  });

  it('the test encoder builds the very bytes and JSON the Paddle client sent for the same rows', () => {
    const feed = feedFromSlotRows(captures.feed_rows);
    const proto = paddleProtoBody(feed, { fetch: [OUTPUT], logId: LOG_ID });
    assert.equal(proto.toString('hex'), readGoldenRequest(captures, 'http-proto').toString('hex'));
    const json = JSON.parse(readGoldenRequest(captures, 'http-json').toString('utf8')) as unknown;
    assert.deepEqual(json, JSON.parse(JSON.stringify(paddleRequestObject(feed, { fetch: [OUTPUT], logId: LOG_ID }))));
  });
});

/** PaddleRec's slot lines ("click:0", 13 × "dense_feature:x", "1:id" .. "26:id") as the DeepFM feed. */
function feedFromSlotRows(rows: readonly (readonly string[])[]): Record<string, HostTensor> {
  const feed: Record<string, HostTensor> = {};
  const dense = new Float32Array(rows.length * 13);
  const sparse = Array.from({ length: 26 }, () => new BigInt64Array(rows.length));
  rows.forEach((tokens, r) => {
    let d = 0;
    for (const token of tokens) {
      const [slot, value] = token.split(':') as [string, string];
      if (slot === 'dense_feature') dense[r * 13 + d++] = Number(value);
      else if (slot !== 'click') sparse[Number(slot) - 1]![r] = BigInt(value);
    }
  });
  sparse.forEach((data, f) => { feed[`C${f + 1}`] = { dtype: 'int64', dims: [rows.length, 1], data }; });
  feed.dense_input = { dtype: 'float32', dims: [rows.length, 13], data: dense };
  return feed;
}
