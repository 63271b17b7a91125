/**
 * Checks every protocol shares through the core's request validation, through the real server:
 * NaN / ±Infinity dense values and repeated or excess output names are refused with
 * INVALID_ARGUMENT naming the input (row, value) or the output, over rec_serving Predict, Paddle
 * gRPC, Paddle HTTP (JSON and proto) and baidu_std.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, ServingError } from '../../src/core/errors';
import type { HostTensor } from '../../src/core/tensor';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { GRPC_INFERENCE_PATH, paddleJsonBody, paddleProtoBody, paddleRequestObject, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** One failure as each protocol reports it: a code (gRPC numbering, HTTP status or brpc errno) and the text. */
interface Refusal { readonly code: number; readonly text: string }

describe('request validation on every protocol', () => {
  let t: TestServer;
  let raw: grpc.Client;
  before(async () => {
    t = await startTestServer({ modelDir: makeAliasedDeepFmDir().dir });
    raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await t.stop();
  });

  const viaPredict = async (feed: Record<string, HostTensor>, fetch: string[]): Promise<Refusal> => {
    try {
      await t.client.predict(feed, fetch);
    } catch (error) {
      assert.ok(error instanceof ServingError, String(error));
      return { code: error.code, text: error.rawMessage };
    }
    throw new Error('Predict succeeded');
  };
  const viaPaddleGrpc = (feed: Record<string, HostTensor>, fetch: string[]) => new Promise<Refusal>((resolve, reject) => {
    raw.makeUnaryRequest(GRPC_INFERENCE_PATH, (b: Buffer) => b, (b: Buffer) => b, paddleProtoBody(feed, { fetch }), (error) => {
      if (error === null) reject(new Error('Paddle gRPC succeeded'));
      else resolve({ code: error.code, text: error.details });
    });
  });
  const viaHttp = (body: Buffer | string, contentType: string) => new Promise<Refusal>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, path: '/GeneralModelService/inference', method: 'POST', headers: { 'Content-Type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode!, text: Buffer.concat(chunks).toString('utf8').trimEnd() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const viaBaiduStd = async (feed: Record<string, HostTensor>, fetch: string[]): Promise<Refusal> => {
    const c = new RawConnection(t.server.port);
    try {
      c.socket.write(prpcFrame(paddleProtoBody(feed, { fetch }), { correlationId: 1 }));
      const [{ meta }] = await c.next();
      return { code: meta.response?.error_code ?? 0, text: meta.response?.error_text ?? '' };
    } finally {
      c.socket.destroy();
    }
  };

  /** Every protocol, with the code each uses for INVALID_ARGUMENT. */
  const everyProtocol = async (feed: Record<string, HostTensor>, fetch: string[], json = paddleJsonBody(feed, { fetch })) => ({
    predict: await viaPredict(feed, fetch),
    paddleGrpc: await viaPaddleGrpc(feed, fetch),
    httpJson: await viaHttp(json, 'application/json'),
    httpProto: await viaHttp(paddleProtoBody(feed, { fetch }), 'application/proto'),
    baiduStd: await viaBaiduStd(feed, fetch),
  });
  const INVALID_ARGUMENT = { predict: Code.INVALID_ARGUMENT, paddleGrpc: Code.INVALID_ARGUMENT, httpJson: 400, httpProto: 400, baiduStd: 1003 };

  const assertRefused = (refusals: Record<string, Refusal>, message: RegExp) => {
    for (const [protocol, refusal] of Object.entries(refusals)) {
      assert.equal(refusal.code, INVALID_ARGUMENT[protocol as keyof typeof INVALID_ARGUMENT], `${protocol}: ${refusal.text}`);
      assert.match(refusal.text, message, protocol);
    }
  };

  for (const [value, text] of [[Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], [Number.NEGATIVE_INFINITY, '-Infinity']] as const) {
    it(`refuses ${text} in a dense input, naming the input, row and value`, async () => {
      const feed = criteoFeed(3);
      (feed.dense_input.data as Float32Array)[13 * 2 + 5] = value;
      // JSON has no NaN or Infinity literals: protobuf's JSON mapping writes them as strings.
      const json = paddleRequestObject(feed, { fetch: ['prob'] });
      (json.tensor.find((tensor) => tensor.name === 'dense_input')!.float_data as Array<number | string>)[13 * 2 + 5] = text;
      const refusals = await everyProtocol(feed, ['prob'], JSON.stringify(json));
      assertRefused(refusals, new RegExp(`^input "dense_input": value ${text} at row 2, column 5 is not a finite number; expected finite values$`));
    });
  }

  it('refuses an output named twice, by alias or by real name', async () => {
    assertRefused(await everyProtocol(criteoFeed(2), ['prob', 'prob']),
      /^output "prob" is requested more than once \(output names 0 "prob" and 1 "prob"\); expected each output at most once, so at most 1 of \{prob\}; got 2 names$/);
    assertRefused(await everyProtocol(criteoFeed(2), ['prob', 'sigmoid_0.tmp_0']),
      /^output "sigmoid_0.tmp_0" is requested more than once \(output names 0 "prob" and 1 "sigmoid_0.tmp_0"\)/);
  });

  it('refuses more output names than the model has at once, without building a response', async () => {
    const many = new Array<string>(30_000).fill('prob');
    const started = Date.now();
    const refusal = await viaPredict(criteoFeed(1), many);
    assert.equal(refusal.code, Code.INVALID_ARGUMENT);
    assert.match(refusal.text, /^output "prob" is requested more than once .* so at most 1 of \{prob\}; got 30000 names$/);
    assert.ok(Date.now() - started < 5_000);
    const viaHttpJson = await viaHttp(paddleJsonBody(criteoFeed(1), { fetch: many }), 'application/json');
    assert.equal(viaHttpJson.code, 400);
    assert.match(viaHttpJson.text, /got 30000 names$/);
  });

  it('still answers valid requests on every protocol', async () => {
    const result = await t.client.predict(criteoFeed(2), ['prob']);
    assert.deepEqual(result.outputs.prob.dims, [2, 1]);
  });
});
