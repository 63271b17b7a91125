/**
 * The Open Inference Protocol over gRPC on the server's one port, driven by a plain grpc-js
 * client built from proto/kserve/grpc_service.proto (the published messages): health, metadata,
 * ModelInfer with raw and typed contents, requested outputs, id echo, ModelConfig,
 * ModelStatistics, the repository extension without model control, metrics, and every error path.
 * Real server, tiny DeepFM with the output aliased `prob`; scores checked against the reference.
 */
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GrpcUnaryChannel } from '../../src/client/grpc-unary-channel';
import { criteoFeed } from '../helpers/feeds';
import { publishedOipClient, rawFloats, rawInferRequest, typedInferRequest, type Call } from '../helpers/kserve-published-client';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { assertClose, expectedScores } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

const status = (code: number, pattern: RegExp) => (error: { code: number; details: string }) => {
  assert.equal(error.code, code, error.details);
  assert.match(error.details, pattern);
  return true;
};

describe('inference.GRPCInferenceService (published proto, grpc-js client)', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  let client: ReturnType<typeof publishedOipClient>;
  let model: string;
  let call: (method: string) => Call;
  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir });
    client = publishedOipClient(t.target);
    call = client.call;
    model = t.server.predictor.listModels()[0].name;
  });
  after(async () => {
    client.close();
    await t.stop();
  });

  it('answers ServerLive, ServerReady, ServerMetadata and ModelReady', async () => {
    assert.deepEqual(await call('ServerLive')({}), { live: true });
    assert.deepEqual(await call('ServerReady')({}), { ready: true });
    const metadata = await call('ServerMetadata')({});
    assert.equal(metadata.name, 'rec-serving');
    assert.deepEqual(metadata.extensions, ['binary_tensor_data', 'model_configuration', 'statistics', 'model_repository']);
    assert.deepEqual(await call('ModelReady')({ name: model }), { ready: true });
    assert.deepEqual(await call('ModelReady')({ name: model, version: '1' }), { ready: true });
    await assert.rejects(call('ModelReady')({ name: 'nope' }), status(5, /model "nope" not found; available: \["/));
  });

  it('describes the model: ModelMetadata and ModelConfig with the real batching configuration', async () => {
    const metadata = await call('ModelMetadata')({ name: model });
    assert.equal(metadata.name, model);
    assert.deepEqual(metadata.versions, ['1']);
    assert.equal(metadata.platform, 'onnxruntime_onnx');
    assert.equal(metadata.inputs.length, 27);
    assert.deepEqual(metadata.inputs[0], { name: 'C1', datatype: 'INT64', shape: ['-1', '1'] });
    assert.deepEqual(metadata.inputs[26], { name: 'dense_input', datatype: 'FP32', shape: ['-1', '13'] });
    assert.deepEqual(metadata.outputs, [{ name: 'prob', datatype: 'FP32', shape: ['-1', '1'] }]);
    const { config } = await call('ModelConfig')({ name: model });
    assert.equal(config.name, model);
    assert.equal(config.max_batch_size, t.server.predictor.model().options.maxRequestRows);
    assert.equal(config.scheduling_choice, 'dynamic_batching');
    assert.deepEqual(config.dynamic_batching.preferred_batch_size, []);
    assert.equal(config.dynamic_batching.max_queue_delay_microseconds, '0');
    assert.equal(config.dynamic_batching.default_queue_policy.max_queue_size, 256);
    assert.deepEqual(config.instance_group.map((g: { kind: string; count: number }) => [g.kind, g.count]), [['KIND_CPU', 1]]);
    assert.deepEqual(config.input[0], { name: 'C1', data_type: 'TYPE_INT64', dims: ['1'] });
    assert.equal(config.parameters.max_batch_rows_per_run.string_value, '256');
    await assert.rejects(call('ModelMetadata')({ name: model, version: '7' }), status(5, new RegExp(`model "${model}" version "7" not found; available: \\["1"\\]`)));
    await assert.rejects(call('ModelConfig')({ name: 'nope' }), status(5, /model "nope" not found/));
  });

  it('ModelInfer with raw_input_contents answers raw_output_contents, echoes the id and the requested output name', async () => {
    const feed = criteoFeed(5);
    const expected = expectedScores(fixture.model.weights, feed);
    const response = await call('ModelInfer')(rawInferRequest(feed, { model_name: model, id: 'req-42', outputs: [{ name: 'prob' }] }));
    assert.equal(response.model_name, model);
    assert.equal(response.model_version, '1');
    assert.equal(response.id, 'req-42');
    assert.equal(response.outputs.length, 1);
    assert.equal(response.outputs[0].name, 'prob');
    assert.equal(response.outputs[0].datatype, 'FP32');
    assert.deepEqual(response.outputs[0].shape, ['5', '1']);
    assert.equal(response.outputs[0].contents, null);
    assert.equal(response.raw_output_contents.length, 1);
    assertClose(rawFloats(response.raw_output_contents[0]), expected, 'raw_output_contents');
    const byRealName = await call('ModelInfer')(rawInferRequest(feed, { model_name: model, model_version: '1', outputs: [{ name: 'sigmoid_0.tmp_0' }] }));
    assert.equal(byRealName.outputs[0].name, 'sigmoid_0.tmp_0');
    assert.equal(byRealName.id, '');
    assert.deepEqual(rawFloats(byRealName.raw_output_contents[0]), rawFloats(response.raw_output_contents[0]));
  });

  it('ModelInfer with typed contents answers typed contents with the same scores', async () => {
    const feed = criteoFeed(3, 1000, 9);
    const raw = await call('ModelInfer')(rawInferRequest(feed, { model_name: model }));
    const typed = await call('ModelInfer')(typedInferRequest(feed, { model_name: model, id: 'typed' }));
    assert.equal(typed.id, 'typed');
    assert.deepEqual(typed.raw_output_contents, []);
    assert.deepEqual(typed.outputs[0].shape, ['3', '1']);
    assert.deepEqual(Float32Array.from(typed.outputs[0].contents.fp32_contents), rawFloats(raw.raw_output_contents[0]));
    assertClose(typed.outputs[0].contents.fp32_contents, expectedScores(fixture.model.weights, feed), 'fp32_contents');
  });

  it('refuses bad requests with the core\'s precise messages', async () => {
    const feed = criteoFeed(2);
    const infer = (request: object) => call('ModelInfer')(request);
    const base = rawInferRequest(feed, { model_name: model }) as { inputs: Array<{ name: string; datatype: string; shape: string[] }>; raw_input_contents: Buffer[] };
    await assert.rejects(infer({ ...base, model_name: 'nope' }), status(5, /^model "nope" not found; available: \["/));
    await assert.rejects(infer({ ...base, model_version: '2' }), status(5, /version "2" not found; available: \["1"\]/));
    const retyped = { ...base, inputs: base.inputs.map((i, k) => (k === 0 ? { ...i, datatype: 'INT32' } : i)), raw_input_contents: base.raw_input_contents.map((b, k) => (k === 0 ? b.subarray(0, 8) : b)) };
    await assert.rejects(infer(retyped), status(3, /^input "C1": expected dtype int64; got int32$/));
    await assert.rejects(infer({ ...base, inputs: base.inputs.map((i, k) => (k === 0 ? { ...i, datatype: 'BYTES' } : i)) }), status(3, /^input "C1": datatype "BYTES" is not supported; expected one of BOOL, UINT8, INT8, INT32, INT64, FP16, FP32, FP64$/));
    await assert.rejects(infer({ ...base, raw_input_contents: base.raw_input_contents.slice(1) }), status(3, /^raw_input_contents has 26 entries for 27 inputs; expected one per input, in inputs order$/));
    await assert.rejects(infer({ ...base, raw_input_contents: base.raw_input_contents.map((b, k) => (k === 3 ? b.subarray(1) : b)) }), status(3, /^input "C4": shape \[2,1\] of int64 needs 16 bytes; got 15$/));
    await assert.rejects(infer({ ...base, inputs: base.inputs.map((i, k) => (k === 0 ? { ...i, contents: { int64_contents: ['1', '2'] } } : i)) }), status(3, /^input "C1" has typed contents while raw_input_contents is used/));
    await assert.rejects(infer({ ...base, inputs: base.inputs.slice(1), raw_input_contents: base.raw_input_contents.slice(1) }), status(3, /^inputs do not match the model: missing \{C1\}; unknown \{\}; expected 27 inputs/));
    await assert.rejects(infer({ ...base, inputs: base.inputs.map((i, k) => (k === 0 ? { ...i, shape: ['2', '1', '1'] } : i)) }), status(3, /^input "C1": expected shape \[rows,1\]; got \[2,1,1\]$/));
    await assert.rejects(infer({ ...base, outputs: [{ name: 'nope' }] }), status(3, /^unknown output "nope"; available: \{prob\}$/));
    await assert.rejects(infer({ ...base, parameters: { priority: { int64_param: '2' } } }), status(3, /^parameter "priority" is not supported: the batcher has one queue/));
    await assert.rejects(infer({ ...base, parameters: { sequence_id: { int64_param: '9' } } }), status(3, /^parameter "sequence_id" is not supported/));
    await assert.rejects(infer({ ...base, outputs: [{ name: 'prob', parameters: { classification: { int64_param: '3' } } }] }), status(3, /^output "prob": parameter "classification" is not supported/));
    await assert.rejects(infer({ ...base, parameters: { timeout: { string_param: 'soon' } } }), status(3, /^parameter "timeout" must be a non-negative integer of microseconds; got "soon"$/));
    const typed = typedInferRequest(feed, { model_name: model }) as { inputs: Array<{ contents: { int64_contents?: string[] } }> };
    typed.inputs[2].contents.int64_contents = ['1'];
    await assert.rejects(infer(typed), status(3, /^input "C3": shape \[2,1\] needs 2 values; got 1 in contents\.int64_contents$/));
    // Bytes that are not a ModelInferRequest, sent over the same path.
    const channel = GrpcUnaryChannel.connect(t.target);
    try {
      await assert.rejects(channel.unary('/inference.GRPCInferenceService/ModelInfer', Buffer.from([0x0a, 0xff])), (error: { code: number; rawMessage: string }) => {
        assert.equal(error.code, 3);
        assert.match(error.rawMessage, /^request body is not an inference\.ModelInferRequest/);
        return true;
      });
    } finally {
      channel.close();
    }
  });

  it('applies the timeout parameter and grpc-timeout as deadlines', async () => {
    const feed = criteoFeed(2);
    const ok = await call('ModelInfer')(rawInferRequest(feed, { model_name: model, parameters: { timeout: { int64_param: '30000000' } } }), { deadlineMs: 30_000 });
    assert.equal(ok.raw_output_contents.length, 1);
  });

  it('counts statistics and labels ctr_requests_total with kserve_grpc', async () => {
    const before = (await call('ModelStatistics')({ name: model })).model_stats[0];
    await call('ModelInfer')(rawInferRequest(criteoFeed(4), { model_name: model }));
    await assert.rejects(call('ModelInfer')(rawInferRequest(criteoFeed(1), { model_name: model, outputs: [{ name: 'x' }] })));
    const stats = (await call('ModelStatistics')({ name: model, version: '1' })).model_stats;
    assert.equal(stats.length, 1);
    const s = stats[0];
    assert.equal(s.name, model);
    assert.equal(s.version, '1');
    assert.equal(Number(s.inference_stats.success.count), Number(before.inference_stats.success.count) + 1);
    assert.equal(Number(s.inference_stats.fail.count), Number(before.inference_stats.fail.count) + 1);
    assert.equal(Number(s.inference_count), Number(before.inference_count) + 4);
    assert.ok(Number(s.execution_count) > Number(before.execution_count));
    for (const key of ['success', 'queue', 'compute_input', 'compute_infer', 'compute_output']) {
      assert.equal(s.inference_stats[key].count, s.inference_stats.success.count, key);
    }
    assert.ok(Number(s.inference_stats.success.ns) > 0);
    assert.ok(Number(s.inference_stats.compute_infer.ns) > 0);
    const all = (await call('ModelStatistics')({})).model_stats;
    assert.deepEqual(all.map((m: { name: string }) => m.name), [model]);
    await assert.rejects(call('ModelStatistics')({ name: 'nope' }), status(5, /model "nope" not found/));
    const text = await t.server.ops.metrics.registry.getSingleMetricAsString('ctr_requests_total');
    assert.match(text, new RegExp(`ctr_requests_total\\{model="${model}",version="1",protocol="kserve_grpc",code="OK"\\} \\d+`));
    assert.match(text, new RegExp(`ctr_requests_total\\{model="${model}",version="1",protocol="kserve_grpc",code="INVALID_ARGUMENT"\\} \\d+`));
  });

  it('lists the served model in the repository index and refuses load / unload without model control', async () => {
    assert.deepEqual((await call('RepositoryIndex')({})).models, [{ name: model, version: '1', state: 'READY', reason: '' }]);
    assert.deepEqual((await call('RepositoryIndex')({ ready: true })).models.length, 1);
    await assert.rejects(call('RepositoryModelLoad')({ model_name: model }), status(9, /^cannot load model ".+": explicit model control is off \(--model_control_mode none\); restart with --model_control_mode explicit$/));
    await assert.rejects(call('RepositoryModelUnload')({ model_name: model }), status(9, /^cannot unload model ".+" with --model_control_mode none: restart with --model_control_mode explicit$/));
    await assert.rejects(call('RepositoryModelLoad')({ model_name: '' }), status(3, /^load: the model name is empty/));
  });

  it('serves ModelInfer on the fast HTTP/2 route and answers UNIMPLEMENTED for methods it does not serve', async () => {
    assert.equal(t.server.fastGrpcRoutes, true);
    // Only the fast route words a truncated message this way (grpc-js says otherwise).
    const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const session = http2.connect(`http://127.0.0.1:${t.server.port}`);
      session.on('error', reject);
      const stream = session.request({ ':method': 'POST', ':path': '/inference.GRPCInferenceService/ModelInfer', 'content-type': 'application/grpc', te: 'trailers' });
      let headers: http2.IncomingHttpHeaders = {};
      stream.on('response', (h) => { headers = h; });
      stream.on('trailers', (h) => { headers = { ...headers, ...h }; });
      stream.on('close', () => { session.close(); resolve(headers); });
      stream.resume();
      const frame = Buffer.alloc(5 + 3);
      frame.writeUInt32BE(100, 1);
      stream.end(frame);
    });
    assert.equal(Number(trailers['grpc-status']), 13);
    assert.match(String(trailers['grpc-message']), /truncated: got 3 of 100 bytes/);
    const channel = GrpcUnaryChannel.connect(t.target);
    try {
      await assert.rejects(channel.unary('/inference.GRPCInferenceService/ModelStreamInfer', Buffer.alloc(0)), (error: { code: number }) => error.code === 12);
    } finally {
      channel.close();
    }
  });

  it('is known to gRPC health and to server reflection, model_config.proto messages included', async () => {
    const load = (file: string, name: string[]) => {
      let node: unknown = grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true, enums: String, defaults: true }));
      for (const part of name) node = (node as Record<string, unknown>)[part];
      return node as grpc.ServiceClientConstructor;
    };
    const Health = load(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
    const health = new Health(t.target, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Check(r: object, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void };
    const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const Reflection = load(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
    const reflection = new Reflection(t.target, grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, any>> };
    try {
      const status = await new Promise<string | undefined>((resolve, reject) => health.Check({ service: 'inference.GRPCInferenceService' }, (e, r) => (e ? reject(e) : resolve(r?.status))));
      assert.equal(status, 'SERVING');
      const ask = (request: object) => new Promise<Record<string, any>>((resolve, reject) => {
        const stream = reflection.ServerReflectionInfo();
        stream.on('data', (response) => { resolve(response); stream.end(); });
        stream.on('error', reject);
        stream.write(request);
      });
      const listed = await ask({ list_services: '*' });
      assert.ok(listed.list_services_response.service.some((s: { name: string }) => s.name === 'inference.GRPCInferenceService'));
      const files = await ask({ file_containing_symbol: 'inference.GRPCInferenceService' });
      const names = files.file_descriptor_response.file_descriptor_proto.map((bytes: Buffer) => bytes.toString('latin1'));
      const all = names.join('');
      assert.ok(all.includes('GRPCInferenceService') && all.includes('ModelInferRequest'), 'the service and its messages');
      assert.ok(all.includes('ModelDynamicBatching'), 'and the model_config.proto messages ModelConfig uses');
    } finally {
      health.close();
      reflection.close();
    }
  });
});
