/**
 * The Predict RPC end to end: real gRPC server on port 0, real worker pool, real ONNX session
 * (tiny DeepFM), real client. Checks outputs against the reference DeepFM and every validation
 * error's status code and message.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, ServingError } from '../../src/core/errors';
import type { HostTensor } from '../../src/core/tensor';
import { runDeepFmReference } from '../helpers/deepfm-reference';
import { PREDICT_PATH, encodePredictRequest } from '../../src/protocol/predict-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

async function expectError(promise: Promise<unknown>, code: Code, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServingError, `expected a ServingError, got ${String(error)}`);
    assert.equal(Code[error.code], Code[code], `code for "${error.rawMessage}"`);
    assert.match(error.rawMessage, message);
    return true;
  });
}

describe('Predict over gRPC (tiny DeepFM)', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeTinyDeepFmDir>;
  before(async () => {
    fixture = makeTinyDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir, flags: ['--max_request_rows', '64'] });
  });
  after(() => t.stop());

  it('returns probabilities equal to the reference DeepFM', async () => {
    const feed = criteoFeed(7);
    const result = await t.client.predict(feed, [], { requestId: 42 });
    const output = result.outputs['sigmoid_0.tmp_0'];
    assert.deepEqual(output.dims, [7, 1]);
    assert.equal(output.dtype, 'float32');
    assert.equal(result.requestId, 42);
    const sparse = Array.from({ length: 26 }, (_, f) => feed[`C${f + 1}`].data as BigInt64Array);
    const expected = runDeepFmReference(fixture.model.weights, { batchSize: 7, sparse, dense: feed.dense_input.data as Float32Array }).probabilities;
    for (let i = 0; i < 7; i++) {
      const actual = (output.data as Float32Array)[i];
      assert.ok(actual > 0 && actual < 1);
      assert.ok(Math.abs(actual - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `row ${i}: ${actual} vs ${expected[i]}`);
    }
    assert.ok(result.server.endMicros >= result.server.startMicros);
    assert.ok(result.server.computeMicros > 0);
  });

  it('addresses outputs by name and reports model metadata', async () => {
    const result = await t.client.predict(criteoFeed(2), ['sigmoid_0.tmp_0']);
    assert.deepEqual(Object.keys(result.outputs), ['sigmoid_0.tmp_0']);
    const meta = await t.client.getModelMetadata();
    assert.equal(meta.inputs.length, 27);
    assert.equal(meta.inputs[0].name, 'C1');
    assert.equal(meta.inputs[0].hasIdRange, true);
    assert.equal(Number(meta.inputs[0].idMax), 999);
    assert.deepEqual(meta.executionProviders, ['cpu']);
    assert.equal(Number(meta.maxBatchRows), 64);
    assert.equal(JSON.parse(meta.effectiveConfigJson).workers, 1);
  });

  const mutate = (rows: number, change: (feed: Record<string, HostTensor>) => void) => {
    const feed = criteoFeed(rows);
    change(feed);
    return feed;
  };

  it('rejects unknown and missing inputs naming them', async () => {
    await expectError(t.client.predict(mutate(3, (f) => { f.bogus = f.C1; delete f.C26; })), Code.INVALID_ARGUMENT, /missing \{C26\}; unknown \{bogus\}/);
  });

  it('rejects a wrong dtype', async () => {
    await expectError(t.client.predict(mutate(3, (f) => { f.C3 = { dtype: 'int32', dims: [3, 1], data: new Int32Array(3) }; })), Code.INVALID_ARGUMENT, /input "C3": expected dtype int64; got int32/);
  });

  it('rejects a wrong shape', async () => {
    await expectError(t.client.predict(mutate(3, (f) => { f.dense_input = { dtype: 'float32', dims: [3, 12], data: new Float32Array(36) }; })), Code.INVALID_ARGUMENT, /input "dense_input": expected shape \[rows,13\]; got \[3,12\]/);
    await expectError(t.client.predict(mutate(3, (f) => { f.C1 = { dtype: 'int64', dims: [3], data: new BigInt64Array(3) }; })), Code.INVALID_ARGUMENT, /input "C1": expected shape \[rows,1\]; got \[3\]/);
  });

  it('rejects inconsistent batch sizes across inputs', async () => {
    await expectError(t.client.predict(mutate(3, (f) => { f.C2 = { dtype: 'int64', dims: [4, 1], data: new BigInt64Array(4) }; })), Code.INVALID_ARGUMENT, /input "C2" has 4 rows but input "C1" has 3/);
  });

  it('rejects ids outside the embedding range, negative or too large', async () => {
    await expectError(t.client.predict(mutate(3, (f) => { (f.C5.data as BigInt64Array)[1] = -1n; })), Code.INVALID_ARGUMENT, /input "C5": id -1 at row 1 is outside the embedding range \[0, 999\]/);
    await expectError(t.client.predict(mutate(3, (f) => { (f.C9.data as BigInt64Array)[2] = 1000n; })), Code.INVALID_ARGUMENT, /input "C9": id 1000 at row 2 is outside the embedding range \[0, 999\]/);
    await expectError(t.client.predict(mutate(3, (f) => { (f.C9.data as BigInt64Array)[0] = 1n << 40n; })), Code.INVALID_ARGUMENT, /id 1099511627776 at row 0/);
  });

  it('rejects an empty batch and a batch over the limit', async () => {
    await expectError(t.client.predict(criteoFeed(0)), Code.INVALID_ARGUMENT, /the batch is empty \(0 rows\)/);
    await expectError(t.client.predict(criteoFeed(65)), Code.INVALID_ARGUMENT, /request has 65 rows; the maximum is 64/);
  });

  it('rejects an unknown output and an unknown model', async () => {
    await expectError(t.client.predict(criteoFeed(1), ['nope']), Code.INVALID_ARGUMENT, /unknown output "nope"; available: \{sigmoid_0.tmp_0\}/);
    await expectError(t.client.predict(criteoFeed(1), [], { modelName: 'ctr_v9' }), Code.NOT_FOUND, /model "ctr_v9" not found; available: \["/);
  });

  it('rejects byte lengths that do not match the shape, and garbage bytes, and keeps serving', async () => {
    const raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
    const call = (body: Buffer) => new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(PREDICT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (error) => resolve(error));
    });
    const short = encodePredictRequest({ inputs: [{ name: 'C1', dtype: 1, shape: [5, 1], rawData: new Uint8Array(39) }] });
    const shortError = await call(short);
    assert.equal(shortError?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(shortError!.details, /input "C1": shape \[5,1\] of int64 needs 40 bytes; got 39/);
    const garbage = await call(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
    assert.equal(garbage?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(garbage!.details, /request body is not a rec_serving.v1.PredictRequest/);
    const badDtype = await call(encodePredictRequest({ inputs: [{ name: 'C1', dtype: 99, shape: [1, 1], rawData: new Uint8Array(8) }] }));
    assert.equal(badDtype?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(badDtype!.details, /input "C1": unknown dtype code 99/);
    raw.close();
    const after = await t.client.predict(criteoFeed(2));
    assert.equal(after.outputs['sigmoid_0.tmp_0'].dims[0], 2);
  });

  it('serves concurrent requests, each with its own rows', async () => {
    const feeds = Array.from({ length: 16 }, (_, i) => criteoFeed(1 + (i % 5), 1000, i + 1));
    const results = await Promise.all(feeds.map((feed) => t.client.predict(feed)));
    results.forEach((result, i) => assert.equal(result.outputs['sigmoid_0.tmp_0'].dims[0], 1 + (i % 5)));
    const again = await t.client.predict(feeds[3]);
    assert.deepEqual(again.outputs['sigmoid_0.tmp_0'].data, results[3].outputs['sigmoid_0.tmp_0'].data);
  });
});
