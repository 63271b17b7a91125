/**
 * A model repository on a real server: two models at once (each its own engine, metrics labels
 * and metadata), version policies from config.pbtxt (latest N, all, specific) with requests naming
 * a version or getting the newest, config.pbtxt fields applied (max_batch_size, instance_group,
 * dynamic_batching) or refused with the reason, unload under traffic in explicit mode (in-flight
 * calls finish, new ones get NOT_FOUND), and the model control modes' refusals.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Code, ServingError } from '../../src/core/errors';
import { criteoFeed } from '../helpers/feeds';
import { startClosedLoop } from '../helpers/closed-loop-traffic';
import { addVersion, makeRepository, startRepositoryServer, writeModelConfig, type RepositoryServer } from '../helpers/model-repository-fixtures';
import { startTestServer } from '../helpers/test-server';
import { servingRejection } from '../helpers/serving-rejection';

const OUTPUT = 'sigmoid_0.tmp_0';

/** The model's status in grpc.health.v1.Health (service name = model name). */
async function healthOf(running: RepositoryServer, model: string): Promise<string | undefined> {
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const Health = (grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }).grpc.health.v1.Health;
  const client = new Health(`127.0.0.1:${running.server.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void };
  try {
    return await new Promise((resolve, reject) => client.Check({ service: model }, (error, response) => (error ? reject(error) : resolve(response?.status))));
  } finally {
    client.close();
  }
}

describe('model repository', () => {
  let running: RepositoryServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('serves two models at once, each with its own versions, metrics labels and metadata', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1', { seed: 11 });
    addVersion(repo, 'cvr', '7', { seed: 22 });
    running = await startRepositoryServer(repo, ['--enable_prometheus', '--prometheus_port', '0', '--thread', '2']);
    const { client, server } = running;
    const feed = criteoFeed(5);
    const ctr = await client.predict(feed, [], { modelName: 'ctr' });
    const cvr = await client.predict(feed, [], { modelName: 'cvr' });
    const byDefault = await client.predict(feed);
    assert.equal(ctr.modelVersion, '1');
    assert.equal(cvr.modelVersion, '7');
    assert.equal(byDefault.modelVersion, '1', 'an empty model name addresses the first model by name');
    assert.notDeepEqual(ctr.outputs[OUTPUT].data, cvr.outputs[OUTPUT].data, 'each model answers with its own weights');
    assert.equal((await client.getModelMetadata('cvr')).modelName, 'cvr');
    assert.deepEqual((await client.getModelMetadata('cvr')).versions, ['7']);
    const metrics = await server.ops.metrics.registry.metrics();
    assert.match(metrics, /nv_inference_count\{model="ctr",version="1"\} [1-9]/);
    assert.match(metrics, /nv_inference_count\{model="cvr",version="7"\} [1-9]/);
    assert.match(metrics, /ctr_model_versions_ready\{model="cvr"\} 1/);
    assert.deepEqual(server.modelControl.index().map((e) => `${e.name}/${e.version}/${e.state}`), ['ctr/1/READY', 'cvr/7/READY']);
    // --thread 2 is the budget of the whole server: each of the two models gets one worker.
    assert.equal(server.predictor.model('ctr').engine.describe().workers, 1);
    assert.equal(server.predictor.model('cvr').engine.describe().workers, 1);
    const unknown = await servingRejection(client.predict(feed, [], { modelName: 'nope' }));
    assert.equal(unknown.code, Code.NOT_FOUND);
    assert.match(unknown.message, /model "nope" not found; available: \["ctr", "cvr"\]/);
  });

  it('applies version policies: latest N, all, specific; a request names a version or gets the newest', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    for (const model of ['latest2', 'every', 'picked']) for (const version of ['1', '2', '3']) addVersion(repo, model, version);
    writeModelConfig(repo, 'latest2', 'version_policy: { latest: { num_versions: 2 } }\n');
    writeModelConfig(repo, 'every', 'name: "every"\nversion_policy: { all: { } }\n');
    writeModelConfig(repo, 'picked', 'version_policy: { specific: { versions: [1, 3] } }\n');
    running = await startRepositoryServer(repo);
    const { client, server } = running;
    const ready = server.modelControl.index({ readyOnly: true }).map((e) => `${e.name}/${e.version}`);
    assert.deepEqual(ready, ['every/3', 'every/2', 'every/1', 'latest2/3', 'latest2/2', 'picked/3', 'picked/1']);
    const feed = criteoFeed(2);
    assert.equal((await client.predict(feed, [], { modelName: 'picked' })).modelVersion, '3');
    assert.equal((await client.predict(feed, [], { modelName: 'picked', modelVersion: '1' })).modelVersion, '1');
    assert.equal((await client.predict(feed, [], { modelName: 'every', modelVersion: '2' })).modelVersion, '2');
    const missing = await servingRejection(client.predict(feed, [], { modelName: 'picked', modelVersion: '2' }));
    assert.equal(missing.code, Code.NOT_FOUND);
    assert.match(missing.message, /model "picked" version "2" not found; available: \["3", "1"\]/);
    const old = await servingRejection(client.predict(feed, [], { modelName: 'latest2', modelVersion: '1' }));
    assert.equal(old.code, Code.NOT_FOUND);
    assert.deepEqual((await client.getModelMetadata('every')).versions, ['3', '2', '1']);
    // Calls are counted under the version that answered, though all three serve at once.
    const metrics = await server.ops.metrics.registry.metrics();
    assert.match(metrics, /nv_inference_request_success\{model="every",version="2"\} 1\b/);
    assert.match(metrics, /nv_inference_request_success\{model="picked",version="1"\} 1\b/);
    assert.match(metrics, /nv_inference_request_success\{model="picked",version="3"\} 1\b/);
  });

  it('applies config.pbtxt (max_batch_size, instance_group, dynamic_batching)', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    writeModelConfig(repo, 'ctr', [
      'name: "ctr"', 'platform: "onnxruntime_onnx"', 'max_batch_size: 8',
      'instance_group [ { count: 2 kind: KIND_CPU } ]',
      'dynamic_batching { max_queue_delay_microseconds: 250 preferred_batch_size: [ 4, 8 ] }', '',
    ].join('\n'));
    running = await startRepositoryServer(repo);
    const { client, server, logLines } = running;
    assert.equal(server.predictor.model('ctr').engine.describe().workers, 2);
    assert.ok(logLines.some((line) => /batching for "ctr": on, max 8 rows per run, max queue delay 250 µs, preferred sizes \[4, 8\]/.test(line)), logLines.filter((l) => /batching/.test(l)).join('\n'));
    assert.equal((await client.predict(criteoFeed(8))).modelVersion, '1');
    const tooMany = await servingRejection(client.predict(criteoFeed(9)));
    assert.equal(tooMany.code, Code.INVALID_ARGUMENT);
  });

  it('refuses config.pbtxt fields it cannot honour, with the reason, and a config that does not match the graph', { timeout: 60_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    writeModelConfig(repo, 'ctr', 'platform: "tensorflow_savedmodel"\ninstance_group [ { kind: KIND_GPU count: 1 } ]\ndynamic_batching { priority_levels: 2 }\n');
    await assert.rejects(startRepositoryServer(repo), (error: Error) => {
      assert.match(error.message, /config\.pbtxt cannot be served/);
      assert.match(error.message, /platform "tensorflow_savedmodel" is not supported/);
      assert.match(error.message, /instance_group kind KIND_GPU/);
      assert.match(error.message, /priority_levels is not supported/);
      return true;
    });
    writeModelConfig(repo, 'ctr', 'optimization { }\n');
    await assert.rejects(startRepositoryServer(repo), /field "optimization" is not supported by rec-serving/);
    writeModelConfig(repo, 'ctr', 'input [ { name: "dense_input" data_type: TYPE_INT64 dims: [ 12 ] } ]\noutput [ { name: "prob" data_type: TYPE_FP32 dims: [ 1 ] } ]\n');
    await assert.rejects(startRepositoryServer(repo), (error: Error) => {
      assert.match(error.message, /config\.pbtxt does not match .*model\.onnx/);
      assert.match(error.message, /input "dense_input" is int64 in the config but float32 in the model/);
      assert.match(error.message, /output "prob" is not in the model/);
      assert.match(error.message, /the model needs inputs the config does not feed: C1, C2/);
      return true;
    });
  });

  it('unloads under traffic in explicit mode: in-flight calls finish, new ones get NOT_FOUND; load brings it back', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    addVersion(repo, 'cvr', '1');
    // Each run waits up to 100 ms to collect requests, so at the unload requests are certainly queued in the server.
    running = await startRepositoryServer(repo, ['--model_control_mode', 'explicit', '--load_model', 'ctr', '--max_queue_delay_micros', '100000']);
    const { client, server } = running;
    assert.deepEqual(server.modelControl.index().map((e) => `${e.name}/${e.version}/${e.state}/${e.reason}`), ['ctr/1/READY/', 'cvr//UNAVAILABLE/not loaded']);
    const loop = startClosedLoop(client, { inFlight: 8, rows: 5, modelName: 'ctr' });
    await loop.firstResponseFrom('1');
    await new Promise((r) => setTimeout(r, 250));
    const queued = server.predictor.inFlight;
    await server.modelControl.unload('ctr');
    const unloadedAt = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    const records = await loop.stop();
    const failures = records.filter((r) => r.error !== undefined);
    const successes = records.filter((r) => r.error === undefined);
    assert.ok(successes.length > 0 && failures.length > 0);
    assert.ok(queued > 0, 'requests were in flight at the unload');
    for (const failure of failures) {
      assert.equal(failure.error?.code, Code.NOT_FOUND, failure.error?.message);
      assert.match(failure.error?.message ?? '', /model "ctr" not found/);
    }
    assert.ok(successes.every((r) => r.startMs < unloadedAt), 'no request started after the unload is answered');
    assert.ok(failures.every((r) => r.endMs > successes[0].endMs));
    assert.deepEqual(server.modelControl.index().map((e) => `${e.name}/${e.state}/${e.reason}`), ['ctr/UNAVAILABLE/unloaded by request', 'cvr/UNAVAILABLE/not loaded']);
    assert.deepEqual(await healthOf(running, 'ctr'), 'NOT_SERVING', 'an unloaded model is NOT_SERVING in gRPC health');
    await server.modelControl.load('ctr');
    assert.equal((await client.predict(criteoFeed(1), [], { modelName: 'ctr' })).modelVersion, '1');
    assert.deepEqual(await healthOf(running, 'ctr'), 'SERVING');
    await server.modelControl.load('cvr');
    assert.equal((await client.predict(criteoFeed(1), [], { modelName: 'cvr' })).modelVersion, '1');
    const unknown = await servingRejection(server.modelControl.load('nope'));
    assert.equal(unknown.code, Code.NOT_FOUND);
    // A model whose only version is corrupt: load rejects with the reason, nothing else changes.
    addVersion(repo, 'broken', '1', { corrupt: true });
    const broken = await servingRejection(server.modelControl.load('broken'));
    assert.equal(broken.code, Code.UNAVAILABLE);
    assert.match(broken.message, /model "broken" cannot be served: version 1: .*not a valid ONNX model/);
    assert.equal(server.modelControl.index().find((e) => e.name === 'broken')?.state, 'UNAVAILABLE');
  });

  it('maps one private copy of each version\'s weights for all its sessions, with the same scores as private copies; removed when the version retires', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    const feed = criteoFeed(16);
    running = await startRepositoryServer(repo, ['--model_control_mode', 'explicit']);
    const line = running.logLines.find((l) => /are memory-mapped read-only by every session/.test(l));
    assert.ok(line !== undefined, running.logLines.join('\n'));
    const dir = /from a private copy of the validated bytes in (\S+)/.exec(line)![1];
    assert.ok(fs.existsSync(path.join(dir, 'weights.bin')));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const mapped = await running.client.predict(feed);
    await running.server.modelControl.unload('ctr');
    assert.equal(fs.existsSync(dir), false, 'the weights file goes with the version');
    await running.stop();
    running = await startRepositoryServer(repo, ['--mmap_weights=false']);
    assert.ok(running.logLines.some((l) => /weights are copied into each session \(--mmap_weights false\)/.test(l)));
    const copied = await running.client.predict(feed);
    assert.deepEqual(mapped.outputs[OUTPUT].data, copied.outputs[OUTPUT].data);
  });

  it('keeps --model DIR working as a one-model repository: a version folder dropped in is served after a poll', { timeout: 60_000 }, async () => {
    const repo = makeRepository();
    const dir = path.dirname(addVersion(repo, 'ctr', '1'));
    const server = await startTestServer({ modelDir: dir, flags: ['--name', 'ranker', '--model_control_mode', 'poll', '--repository_poll_secs', '1'] });
    try {
      assert.equal((await server.client.predict(criteoFeed(1))).modelVersion, '1');
      addVersion(repo, 'ctr', '2');
      const deadline = Date.now() + 20_000;
      let version = '1';
      while (version !== '2' && Date.now() < deadline) {
        version = (await server.client.predict(criteoFeed(1), [], { modelName: 'ranker' })).modelVersion;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(version, '2');
      assert.deepEqual(server.server.modelControl.index().map((e) => `${e.name}/${e.version}/${e.state}`), ['ranker/2/READY']);
    } finally {
      await server.stop();
    }
  });

  it('refuses load/unload in the modes that do not allow them, naming the mode', { timeout: 60_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    running = await startRepositoryServer(repo);
    const none = await servingRejection(running.server.modelControl.load('ctr'));
    assert.equal(none.code, Code.FAILED_PRECONDITION);
    assert.match(none.message, /--model_control_mode none/);
    await running.stop();
    running = await startRepositoryServer(repo, ['--model_control_mode', 'poll', '--repository_poll_secs', '60']);
    const poll = await servingRejection(running.server.modelControl.unload('ctr'));
    assert.equal(poll.code, Code.FAILED_PRECONDITION);
    assert.match(poll.message, /the poller would load it back/);
    // Removing a model's directory unloads it on the next scan.
    fs.rmSync(path.join(repo, 'ctr'), { recursive: true });
    await running.server.modelControl.rescan();
    const gone = await servingRejection(running.client.predict(criteoFeed(1), [], { modelName: 'ctr' }));
    assert.equal(gone.code, Code.NOT_FOUND);
  });
});
