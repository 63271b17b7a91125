/**
 * `rec-serving repository index|load|unload` (the real CLI in a child process) against a local
 * HTTP server standing in for the repository extension's endpoints: the request paths and JSON
 * bodies, the printed index, the server's errors (exit 1), an unreachable server (exit 1) and
 * bad flags (exit 2).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';

const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-serving.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('rec-serving repository', () => {
  const seen: Array<{ method: string; url: string; body: unknown; type: string | undefined }> = [];
  let server: http.Server;
  let target: string;
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body: JSON.parse(body || 'null'), type: req.headers['content-type'] });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v2/repository/index') {
          res.end(JSON.stringify([{ name: 'ctr', version: '3', state: 'READY', reason: '' }, { name: 'ctr', version: '4', state: 'UNAVAILABLE', reason: 'not a valid ONNX model' }]));
        } else if (req.url === '/v2/repository/models/broken/load') {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: 'model "broken" cannot be served: version 1: not a valid ONNX model' }));
        } else {
          res.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('index posts {"ready": ...} to /v2/repository/index and prints one line per version', async () => {
    const result = await run(['repository', 'index', '--connect', target, '--ready']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(seen.at(-1), { method: 'POST', url: '/v2/repository/index', body: { ready: true }, type: 'application/json' });
    assert.match(result.stdout, /^MODEL\s+VERSION\s+STATE\s+REASON\nctr\s+3\s+READY\nctr\s+4\s+UNAVAILABLE\s+not a valid ONNX model\n$/);
  });

  it('load and unload post {} to /v2/repository/models/{name}/load|unload', async () => {
    assert.equal((await run(['repository', 'load', '--connect', target, '--model', 'ctr v2'])).code, 0);
    assert.deepEqual(seen.at(-1), { method: 'POST', url: '/v2/repository/models/ctr%20v2/load', body: {}, type: 'application/json' });
    const unload = await run(['repository', 'unload', '--connect', target, '--model=ctr']);
    assert.equal(unload.code, 0);
    assert.equal(unload.stdout, 'model "ctr" unloaded\n');
    assert.equal(seen.at(-1)?.url, '/v2/repository/models/ctr/unload');
  });

  it('prints the server\'s error and exits 1', async () => {
    const result = await run(['repository', 'load', '--connect', target, '--model', 'broken']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the server answered 400: model "broken" cannot be served: version 1: not a valid ONNX model/);
  });

  it('exits 1 naming the address when nothing listens', async () => {
    const result = await run(['repository', 'index', '--connect', '127.0.0.1:1', '--timeout_ms', '5000']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot reach 127\.0\.0\.1:1\/v2\/repository\/index/);
  });

  it('refuses bad arguments with exit 2, naming each problem', async () => {
    const result = await run(['repository', 'load', '--connect', 'nohost']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--connect must be host:port \(e\.g\. 127\.0\.0\.1:9393\); got "nohost"/);
    assert.match(result.stderr, /load needs --model NAME/);
    const action = await run(['repository', 'reload', '--connect', target]);
    assert.equal(action.code, 2);
    assert.match(action.stderr, /unknown action "reload"; expected index, load or unload/);
    assert.match((await run(['repository', 'index', '--connect', target, '--model', 'x'])).stderr, /--model applies to load and unload/);
  });
});
