/**
 * Paddle's GeneralModelService over gRPC on the server's one port, called exactly as Paddle's
 * gRPC client does (the Request bytes on `/baidu...GeneralModelService/inference`): real server,
 * real worker pool, tiny DeepFM; every response field checked.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodePaddleResponse, encodePaddleRequest, type PaddleResponse } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { FULL_SERVICE, GRPC_INFERENCE_PATH, assertClose, expectedScores, paddleProtoBody, paddleRequestObject } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('GeneralModelService over gRPC', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  let raw: grpc.Client;
  const call = (body: Uint8Array, path = GRPC_INFERENCE_PATH) => new Promise<{ error: grpc.ServiceError | null; response?: PaddleResponse }>((resolve) => {
    raw.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (error, bytes) => resolve({ error, response: bytes ? decodePaddleResponse(bytes) : undefined }));
  });

  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir });
    raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await t.stop();
  });

  it('answers inference with Paddle\'s response layout, scores equal to the reference', async () => {
    const feed = criteoFeed(5);
    const before = Date.now() * 1000;
    const { error, response } = await call(paddleProtoBody(feed, { fetch: ['prob'], logId: 8 }));
    assert.equal(error, null);
    const r = response!;
    assert.equal(r.outputs.length, 1);
    assert.equal(r.outputs[0].engine_name, 'GeneralInferOp_0');
    const [out] = r.outputs[0].tensor;
    assert.equal(out.name, 'sigmoid_0.tmp_0');
    assert.equal(out.alias_name, 'prob');
    assert.deepEqual(Array.from(out.shape!), [5, 1]);
    assert.equal(out.elem_type, 1);
    assertClose(Array.from(out.float_data!), expectedScores(fixture.model.weights, feed), 'float_data');
    assert.equal(Number(r.log_id), 8);
    assert.equal(r.profile_time.length, 2);
    const [start, end] = r.profile_time.map(Number);
    assert.ok(start >= before - 1_000_000 && end >= start && end <= Date.now() * 1000 + 1_000_000, `profile_time ${start},${end}`);
    assert.equal(r.err_no, 0);
  });

  it('binds feeds by name in any order and returns every fetch var when none are named', async () => {
    const feed = criteoFeed(3, 1000, 5);
    const order = Object.keys(feed).reverse();
    const { error, response } = await call(paddleProtoBody(feed, { fetch: [], order }));
    assert.equal(error, null);
    const tensors = response!.outputs[0].tensor;
    assert.deepEqual(tensors.map((x) => x.alias_name), ['prob']);
    assertClose(Array.from(tensors[0].float_data!), expectedScores(fixture.model.weights, feed), 'float_data');
  });

  it('reports per-stage times before the handler pair when profile_server is set', async () => {
    const { response } = await call(paddleProtoBody(criteoFeed(2), { profile: true }));
    const times = response!.profile_time.map(Number);
    assert.equal(times.length, 8);
    assert.equal(response!.profile_server, true);
    for (let i = 1; i < 6; i++) assert.ok(times[i] >= times[i - 1], `stage times ascend: ${times.join(',')}`);
    assert.deepEqual(times.slice(6), [times[0], times[5]]);
  });

  it('serves the debug method alike', async () => {
    const { error, response } = await call(paddleProtoBody(criteoFeed(1)), `/${FULL_SERVICE}/debug`);
    assert.equal(error, null);
    assert.equal(response!.outputs[0].tensor[0].shape![0], 1);
  });

  it('accepts INT32 ids for the int64 inputs, and refuses a conversion that loses data', async () => {
    const feed = criteoFeed(2);
    const request = paddleRequestObject(feed);
    const c1 = request.tensor.find((x) => x.name === 'C1')!;
    const asInt32 = { int_data: c1.int64_data, shape: c1.shape, elem_type: 2, name: 'C1', alias_name: 'C1' };
    const ok = await call(encodePaddleRequest({ ...request, tensor: request.tensor.map((x) => (x.name === 'C1' ? asInt32 : x)) }));
    assert.equal(ok.error, null);
    assertClose(Array.from(ok.response!.outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feed), 'float_data');
    const fractional = { float_data: [1.5, 2], shape: [2, 1], elem_type: 1, name: 'C1', alias_name: 'C1' };
    const bad = await call(encodePaddleRequest({ ...request, tensor: request.tensor.map((x) => (x.name === 'C1' ? fractional : x)) }));
    assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(bad.error!.details, /input "C1": elem_type 1 \(FP32\) cannot be converted to the model's int64 without losing data: value 1.5 at index 0/);
  });

  it('fails unknown feeds, wrong shapes, short data, unknown fetches and garbage with INVALID_ARGUMENT', async () => {
    const feed = criteoFeed(2);
    const request = paddleRequestObject(feed);
    const renamed = await call(encodePaddleRequest({ ...request, tensor: request.tensor.map((x) => (x.name === 'C7' ? { ...x, name: 'bogus' } : x)) }));
    assert.equal(renamed.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(renamed.error!.details, /missing \{C7\}; unknown \{bogus\}/);
    const reshaped = await call(encodePaddleRequest({ ...request, tensor: request.tensor.map((x) => (x.name === 'dense_input' ? { ...x, shape: [13, 2] } : x)) }));
    assert.match(reshaped.error!.details, /input "dense_input": expected shape \[rows,13\]; got \[13,2\]/);
    const short = await call(encodePaddleRequest({ ...request, tensor: request.tensor.map((x) => (x.name === 'C2' ? { ...x, int64_data: [1] } : x)) }));
    assert.match(short.error!.details, /input "C2": shape \[2,1\] needs 2 int64_data values; got 1/);
    const fetch = await call(encodePaddleRequest({ ...request, fetch_var_names: ['nope'] }));
    assert.match(fetch.error!.details, /unknown output "nope"; available: \{prob\}/);
    const garbage = await call(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    assert.equal(garbage.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(garbage.error!.details, /request body is not a baidu\.paddle_serving\.predictor\.general_model\.Request/);
    const after = await call(paddleProtoBody(criteoFeed(1)));
    assert.equal(after.error, null);
  });
});
