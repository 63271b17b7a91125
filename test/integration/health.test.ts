/**
 * Health and introspection through the real server: grpc.health.v1.Health Check and Watch,
 * gRPC server reflection, and HTTP GET /v2/health/live and /v2/health/ready on the ops port,
 * including the switch to NOT_SERVING when the server begins to stop.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { startTestServer, type TestServer } from '../helpers/test-server';

type HealthClient = grpc.Client & {
  Check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
};

function loadService(file: string, name: string[], includeDirs: string[] = []): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(file, { includeDirs, keepCase: true, enums: String, longs: String, defaults: true });
  let node: unknown = grpc.loadPackageDefinition(definition);
  for (const part of name) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

describe('health, readiness and reflection', () => {
  let t: TestServer;
  let health: HealthClient;
  let httpBase: string;
  let stopped = false;
  before(async () => {
    t = await startTestServer({ flags: ['--enable_prometheus', '--prometheus_port', '0'] });
    const Health = loadService(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
    health = new Health(t.target, grpc.credentials.createInsecure()) as unknown as HealthClient;
    httpBase = `http://127.0.0.1:${t.server.ops.opsPort}`;
  });
  after(async () => {
    health.close();
    if (!stopped) await t.stop();
  });

  const check = (service: string) => new Promise<{ status?: string; code?: number }>((resolve) => {
    health.Check({ service }, (error, response) => resolve(error ? { code: error.code } : { status: response?.status }));
  });

  it('reports SERVING for the server, the Predict service and the model; NOT_FOUND for others', async () => {
    assert.deepEqual(await check(''), { status: 'SERVING' });
    assert.deepEqual(await check('rec_serving.v1.PredictionService'), { status: 'SERVING' });
    assert.deepEqual(await check(t.server.predictor.model().name), { status: 'SERVING' });
    assert.deepEqual(await check('baidu.paddle_serving.predictor.general_model.GeneralModelService'), { status: 'SERVING' });
    assert.deepEqual(await check('no.such.Service'), { code: grpc.status.NOT_FOUND });
  });

  it('answers the HTTP live and ready endpoints', async () => {
    const live = await fetch(`${httpBase}/v2/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { live: true });
    const ready = await fetch(`${httpBase}/v2/health/ready`);
    assert.equal(ready.status, 200);
    const readyBody = await ready.json() as { ready: boolean; models: Record<string, { executionProviders: string[] }> };
    assert.equal(readyBody.ready, true);
    const [details] = Object.values(readyBody.models);
    assert.deepEqual(details.executionProviders, ['cpu']);
    const scrape = await (await fetch(`${httpBase}/metrics`)).text();
    assert.match(scrape, /ctr_model_info\{model="[^"]+",version="1",execution_provider="cpu"\} 1/);
    const post = await fetch(`${httpBase}/v2/health/ready`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('lists the services through gRPC server reflection', async () => {
    const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const Reflection = loadService(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
    const client = new Reflection(t.target, grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: Array<{ name: string }> } }> };
    const names = await new Promise<string[]>((resolve, reject) => {
      const stream = client.ServerReflectionInfo();
      stream.on('data', (response) => {
        resolve((response.list_services_response?.service ?? []).map((s: { name: string }) => s.name));
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ list_services: '*' });
    });
    client.close();
    assert.ok(names.includes('rec_serving.v1.PredictionService'), `reflection lists ${names.join(', ')}`);
    assert.ok(names.includes('grpc.health.v1.Health'), `reflection lists ${names.join(', ')}`);
    assert.ok(names.includes('baidu.paddle_serving.predictor.general_model.GeneralModelService'), `reflection lists ${names.join(', ')}`);
  });

  it('describes Paddle\'s GeneralModelService through reflection (file_containing_symbol)', async () => {
    const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const Reflection = loadService(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
    type Answer = { file_descriptor_response?: { file_descriptor_proto: Buffer[] }; error_response?: { error_message: string } };
    const client = new Reflection(t.target, grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Answer> };
    const answer = await new Promise<Answer>((resolve, reject) => {
      const stream = client.ServerReflectionInfo();
      stream.on('data', (response: Answer) => {
        resolve(response);
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ file_containing_symbol: 'baidu.paddle_serving.predictor.general_model.GeneralModelService' });
    });
    client.close();
    assert.equal(answer.error_response, undefined, JSON.stringify(answer.error_response));
    const files = answer.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(files.some((bytes) => Buffer.from(bytes).toString('latin1').includes('GeneralModelService')), 'the descriptor holds the service');
  });

  it('turns NOT_SERVING (Watch and HTTP ready) as soon as the server begins to stop', async () => {
    const watch = health.Watch({ service: '' });
    const statuses: string[] = [];
    const sawNotServing = new Promise<void>((resolve) => {
      watch.on('data', (response) => {
        statuses.push(response.status);
        if (response.status === 'NOT_SERVING') resolve();
      });
      watch.on('error', () => resolve());
    });
    await new Promise<void>((resolve) => {
      const poll = () => (statuses.length > 0 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    t.server.ops.markStopping();
    await sawNotServing;
    assert.deepEqual(statuses.slice(0, 2), ['SERVING', 'NOT_SERVING']);
    const ready = await fetch(`${httpBase}/v2/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json() as { ready: boolean }).ready, false);
    assert.equal((await fetch(`${httpBase}/v2/health/live`)).status, 200, 'still live while draining');
    watch.cancel();
    stopped = true;
    await t.stop();
  });
});
