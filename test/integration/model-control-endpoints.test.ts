/**
 * Model control through the protocols a user drives it with, on a real server in explicit mode:
 * the Open Inference Protocol's repository extension over HTTP (`/v2/repository/...`) and gRPC
 * (RepositoryIndex / RepositoryModelLoad / RepositoryModelUnload, from the published proto), and the
 * `rec-serving repository` CLI. Loads and unloads change what serves; the index reports it.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { Code, ServingError } from '../../src/core/errors';
import { criteoFeed } from '../helpers/feeds';
import { addVersion, makeRepository, startRepositoryServer, type RepositoryServer } from '../helpers/model-repository-fixtures';
import { publishedOipClient } from '../helpers/kserve-published-client';
import { runCli } from '../helpers/run-cli';

function post(port: number, path: string, body = ''): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function notFound(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const serving = ServingError.from(error);
    assert.equal(serving.code, Code.NOT_FOUND, serving.message);
    return serving.message;
  }
  throw new Error('expected NOT_FOUND');
}

describe('model control through the repository extension and the CLI', () => {
  let running: RepositoryServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('loads and unloads over OIP HTTP, OIP gRPC and rec-serving repository; the index follows', { timeout: 180_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1', { seed: 11 });
    addVersion(repo, 'cvr', '2', { seed: 22 });
    running = await startRepositoryServer(repo, ['--model_control_mode', 'explicit', '--load_model', 'ctr']);
    const { client, server } = running;
    const port = server.port;
    const feed = criteoFeed(5);
    await client.predict(feed, [], { modelName: 'ctr' });
    assert.match(await notFound(client.predict(feed, [], { modelName: 'cvr' })), /model "cvr" not found/);

    // HTTP: index, then load cvr.
    const index = await post(port, '/v2/repository/index', '{}');
    assert.equal(index.status, 200);
    const states = Object.fromEntries((index.json as Array<{ name: string; state: string }>).map((e) => [e.name, e.state]));
    assert.equal(states.ctr, 'READY');
    assert.notEqual(states.cvr, 'READY');
    const loaded = await post(port, '/v2/repository/models/cvr/load', '');
    assert.equal(loaded.status, 200, JSON.stringify(loaded.json));
    const cvr = await client.predict(feed, [], { modelName: 'cvr' });
    assert.equal(cvr.modelVersion, '2');

    // gRPC (published proto): unload cvr, the index says so, requests are refused.
    const oip = publishedOipClient(`127.0.0.1:${port}`);
    try {
      await oip.call('RepositoryModelUnload')({ model_name: 'cvr' });
      assert.match(await notFound(client.predict(feed, [], { modelName: 'cvr' })), /cvr/);
      const ready = (await oip.call('RepositoryIndex')({ ready: true })) as { models: Array<{ name: string; state: string }> };
      assert.deepEqual(ready.models.map((m) => `${m.name}:${m.state}`), ['ctr:READY']);
      await oip.call('RepositoryModelLoad')({ model_name: 'cvr' });
      await client.predict(feed, [], { modelName: 'cvr' });
    } finally {
      oip.close();
    }

    // The CLI against the same server: unload ctr, see the index, load it back.
    const target = `127.0.0.1:${port}`;
    const unload = await runCli('rec-serving.js', ['repository', 'unload', '--connect', target, '--model', 'ctr']);
    assert.equal(unload.code, 0, unload.stderr);
    assert.match(await notFound(client.predict(feed, [], { modelName: 'ctr' })), /ctr/);
    const listed = await runCli('rec-serving.js', ['repository', 'index', '--connect', target, '--ready']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^cvr\s+2\s+READY$/m);
    assert.doesNotMatch(listed.stdout, /^ctr\s/m);
    const load = await runCli('rec-serving.js', ['repository', 'load', '--connect', target, '--model', 'ctr']);
    assert.equal(load.code, 0, load.stderr);
    await client.predict(feed, [], { modelName: 'ctr' });

    // A model the repository does not hold: a clear refusal over HTTP.
    const missing = await post(port, '/v2/repository/models/nope/load', '');
    assert.ok(missing.status >= 400 && missing.status < 500, `status ${missing.status}`);
    assert.match((missing.json as { error: string }).error, /nope/);
  });
});
