/**
 * The repository extension with a ModelControl: the OIP endpoints (gRPC and REST) pass index,
 * load and unload through to it and map its outcomes (a ServingError's code and message) onto
 * each protocol. The ModelControl here is a recording double (the repository itself is another
 * module's); the server, predictor, metrics and endpoints are the real ones.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, ServingError, notFound } from '../../src/core/errors';
import type { ModelControl, RepositoryEntry } from '../../src/core/model-control';
import { createOipEndpoints } from '../../src/kserve/oip-endpoints';
import { createLogger } from '../../src/logging/logger';
import { publishedOipClient } from '../helpers/kserve-published-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

class RecordingControl implements ModelControl {
  readonly calls: string[] = [];
  readonly entries: RepositoryEntry[] = [
    { name: 'a', version: '1', state: 'READY', reason: '' },
    { name: 'b', version: '', state: 'UNAVAILABLE', reason: 'model.onnx is not a valid ONNX model' },
  ];
  index(options?: { readonly readyOnly?: boolean }): RepositoryEntry[] {
    this.calls.push(`index ${options?.readyOnly === true}`);
    return options?.readyOnly === true ? this.entries.filter((e) => e.state === 'READY') : this.entries;
  }
  async load(name: string): Promise<void> {
    this.calls.push(`load ${name}`);
    if (name !== 'a') throw notFound(`model "${name}" is not in the repository`);
  }
  async unload(name: string): Promise<void> {
    this.calls.push(`unload ${name}`);
    if (name === 'busy') throw new ServingError(Code.UNAVAILABLE, 'model "busy" is loading; retry later');
  }
}

describe('Open Inference Protocol repository extension with model control', () => {
  let t: TestServer;
  const control = new RecordingControl();
  let httpServer: http.Server;
  let grpcServer: grpc.Server;
  let httpPort = 0;
  let grpcTarget = '';
  before(async () => {
    t = await startTestServer();
    const oip = createOipEndpoints({
      predictor: t.server.predictor, logger: createLogger('error', () => undefined), health: t.server.ops.health, registry: t.server.ops.metrics.registry,
      batchingOf: (m) => t.server.ops.batchingFor(m.name, 1), maxBodyBytes: 1 << 20, modelControl: control,
    });
    httpServer = http.createServer((req, res) => void oip.http(req, res, (req.url ?? '').split('?')[0]));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    httpPort = (httpServer.address() as { port: number }).port;
    grpcServer = new grpc.Server();
    grpcServer.addService(oip.grpcService.definition, oip.grpcService.implementation);
    const port = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    grpcTarget = `127.0.0.1:${port}`;
  });
  after(async () => {
    grpcServer.forceShutdown();
    await new Promise((resolve) => httpServer.close(resolve));
    await t.stop();
  });

  const post = (path: string, body = '') => new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: httpPort, method: 'POST', path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(body);
  });

  it('passes index, load and unload through over REST', async () => {
    control.calls.length = 0;
    assert.deepEqual((await post('/v2/repository/index')).json, control.entries);
    assert.deepEqual((await post('/v2/repository/index', '{"ready": true}')).json, [control.entries[0]]);
    assert.deepEqual(await post('/v2/repository/models/a/load'), { status: 200, json: {} });
    assert.deepEqual(await post('/v2/repository/models/zz/load'), { status: 404, json: { error: 'model "zz" is not in the repository' } });
    assert.deepEqual(await post('/v2/repository/models/busy/unload'), { status: 503, json: { error: 'model "busy" is loading; retry later' } });
    assert.deepEqual(await post('/v2/repository/models/a/load', '{"parameters": {"config": "{}"}}'), { status: 400, json: { error: 'load "a": parameters {config} are not supported: loading with an overriding config or files is not supported; put them in the repository' } });
    assert.deepEqual(await post('/v2/repository/models/a/unload', '{"parameters": {"unload_dependents": true}}'), { status: 400, json: { error: 'unload "a": parameters {unload_dependents} are not supported: there are no ensembles, so no dependents to unload' } });
    assert.deepEqual((await post('/v2/repository/models/a/load', '[]')).json, { error: 'repository load / unload request body must be a JSON object such as {} or {"parameters": {}}' });
    assert.deepEqual(control.calls, ['index false', 'index true', 'load a', 'load zz', 'unload busy']);
  });

  it('passes index, load and unload through over gRPC', async () => {
    control.calls.length = 0;
    const client = publishedOipClient(grpcTarget);
    try {
      assert.deepEqual((await client.call('RepositoryIndex')({ ready: false })).models, control.entries);
      assert.deepEqual(await client.call('RepositoryModelLoad')({ model_name: 'a' }), {});
      await assert.rejects(client.call('RepositoryModelLoad')({ model_name: 'zz' }), (e: { code: number; details: string }) => e.code === Code.NOT_FOUND && e.details === 'model "zz" is not in the repository');
      assert.deepEqual(await client.call('RepositoryModelUnload')({ model_name: 'a' }), {});
      await assert.rejects(client.call('RepositoryModelLoad')({ model_name: 'a', parameters: { 'file:1/model.onnx': { bytes_param: Buffer.from('x') } } }), (e: { code: number; details: string }) => e.code === Code.INVALID_ARGUMENT && /^load "a": parameters \{file:1\/model\.onnx\} are not supported/.test(e.details));
      assert.deepEqual(control.calls, ['index false', 'load a', 'load zz', 'unload a']);
    } finally {
      client.close();
    }
  });
});
