/**
 * The typed Open Inference Protocol clients (src/client/kserve/) against the real server: every
 * non-inference call over gRPC and HTTP gives the same answers, inference with every option
 * (version, id, outputs, JSON or binary data), and failures come back as ServingErrors with the
 * server's code and message.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KServeGrpcClient } from '../../src/client/kserve/kserve-grpc-client';
import { KServeHttpClient } from '../../src/client/kserve/kserve-http-client';
import { createTransport } from '../../src/client/transports';
import { Code, ServingError } from '../../src/core/errors';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { assertClose, expectedScores } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

const servingError = (code: Code, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ServingError, String(error));
  assert.equal(Code[error.code], Code[code]);
  assert.match(error.rawMessage, pattern);
  return true;
};

describe('KServeGrpcClient and KServeHttpClient', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  let model: string;
  let grpcClient: KServeGrpcClient;
  let httpClient: KServeHttpClient;
  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir });
    model = t.server.predictor.listModels()[0].name;
    grpcClient = KServeGrpcClient.connect(t.target);
    httpClient = KServeHttpClient.connect(t.target);
  });
  after(async () => {
    grpcClient.close();
    httpClient.close();
    await t.stop();
  });

  it('answers the same metadata, readiness, config, statistics and index over both transports', async () => {
    for (const client of [grpcClient, httpClient]) {
      assert.equal(await client.serverLive(), true);
      assert.equal(await client.serverReady(), true);
      assert.equal(await client.modelReady(model), true);
      assert.equal(await client.modelReady(model, '1'), true);
      assert.equal((await client.serverMetadata()).name, 'rec-serving');
      const metadata = await client.modelMetadata(model);
      assert.deepEqual(metadata.outputs.map((o) => [o.name, o.datatype, o.shape.map(Number)]), [['prob', 'FP32', [-1, 1]]]);
      assert.equal(Number((await client.modelConfig(model)).max_batch_size), t.server.predictor.model().options.maxRequestRows);
      assert.equal((await client.modelStatistics())[0].name, model);
      assert.deepEqual(await client.repositoryIndex(true), [{ name: model, version: '1', state: 'READY', reason: '' }]);
    }
  });

  it('infers with every option and the same scores on both transports and data formats', async () => {
    const feed = criteoFeed(7);
    const expected = expectedScores(fixture.model.weights, feed);
    const jsonClient = KServeHttpClient.connect(t.target, { binaryData: false });
    try {
      const answers = [];
      for (const client of [grpcClient, httpClient, jsonClient]) {
        const result = await client.infer(model, feed, { modelVersion: '1', id: 'r7', outputs: ['sigmoid_0.tmp_0'], parameters: { timeout: 30_000_000 } });
        assert.equal(result.modelName, model);
        assert.equal(result.modelVersion, '1');
        assert.equal(result.id, 'r7');
        assert.deepEqual(Object.keys(result.outputs), ['sigmoid_0.tmp_0']);
        assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [7, 1]);
        assert.ok(result.clientMicros > 0);
        assertClose(result.outputs['sigmoid_0.tmp_0'].data as Float32Array, expected, 'scores');
        answers.push(result.outputs['sigmoid_0.tmp_0'].data);
      }
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[2], answers[0]);
    } finally {
      jsonClient.close();
    }
  });

  it('rejects with the server\'s code and message', async () => {
    for (const client of [grpcClient, httpClient]) {
      await assert.rejects(client.modelMetadata('nope'), servingError(Code.NOT_FOUND, /^model "nope" not found; available: \["/));
      await assert.rejects(client.modelReady(model, '4'), servingError(Code.NOT_FOUND, /version "4" not found/));
      await assert.rejects(client.infer('nope', criteoFeed(1)), servingError(Code.NOT_FOUND, /^model "nope" not found/));
      await assert.rejects(client.infer(model, { C1: criteoFeed(1).C1 }), servingError(Code.INVALID_ARGUMENT, /^inputs do not match the model: missing \{C2, /));
    }
    await assert.rejects(grpcClient.loadModel(model), servingError(Code.FAILED_PRECONDITION, /explicit model control is off \(--model_control_mode none\)/));
    await assert.rejects(httpClient.unloadModel(model), servingError(Code.INVALID_ARGUMENT, /cannot unload model ".+" with --model_control_mode none/));
    const nowhere = KServeHttpClient.connect('127.0.0.1:1');
    await assert.rejects(nowhere.serverLive(), servingError(Code.UNAVAILABLE, /^HTTP request to 127\.0\.0\.1:1 failed/));
    nowhere.close();
    assert.throws(() => KServeHttpClient.connect('localhost'), /the server address must be host:port; got "localhost"/);
  });

  it('the kserve-http transport finds the one served model; kserve-grpc addresses the default model', async () => {
    for (const mode of ['kserve-http', 'kserve-grpc']) {
      const transport = createTransport(mode, t.target, 10_000);
      try {
        const result = await transport.predict(criteoFeed(2), ['prob'], 3);
        assert.equal(transport.mode, mode);
        assert.deepEqual(result.outputs.prob.dims, [2, 1]);
        assert.ok(Number.isNaN(result.serverMicros));
      } finally {
        transport.close();
      }
    }
  });
});
