/**
 * rec-client in every --client_mode against one server, with the repository's DeepFM
 * `serving_client_conf.prototxt` (the one in the Paddle compatibility spec) unchanged: each mode
 * prints Paddle's `[client]logid=...,client_cost=...,server_cost=...` line and the same scores.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { startTestServer, type TestServer } from '../helpers/test-server';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-client.js');
const MODES: ReadonlyArray<readonly string[]> = [['grpc'], ['paddle-grpc'], ['http'], ['http', '--http_body', 'proto'], ['http', '--http_gzip'], ['rpc']];

describe('rec-client --client_mode with the DeepFM client config', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ modelDir: path.join(REPO_ROOT, 'serving_server') });
  });
  after(() => t.stop());

  it('every mode prints Paddle\'s log line and the same fetch maps', async () => {
    const outputs = new Map<string, string>();
    for (const [mode, ...extra] of MODES) {
      const { stdout, stderr } = await run(process.execPath, [
        CLI, '--client_config', path.join(REPO_ROOT, 'serving_client', 'serving_client_conf.prototxt'), '--connect', t.target,
        '--client_mode', mode, ...extra, '--batchsize', '5', '--requests', '3', '--data_dir', path.join(REPO_ROOT, 'serving_client', 'sample_data'),
      ]);
      const logLines = stderr.trim().split('\n');
      assert.equal(logLines.length, 3, `${mode}: ${stderr}`);
      logLines.forEach((line, i) => assert.match(line, new RegExp(`^\\[client\\]logid=${i},client_cost=\\d+\\.\\d{3}ms,server_cost=\\d+\\.\\d{3}ms\\.$`), mode));
      const maps = stdout.split('\n').filter((line) => line.startsWith('{'));
      assert.equal(maps.length, 3, `${mode}: ${stdout}`);
      assert.match(maps[0], /^\{'sigmoid_0\.tmp_0': array\(\[\[0\.\d+\], \[0\.\d+\], \[0\.\d+\], \[0\.\d+\], \[0\.\d+\]\], dtype=float32\)\}$/);
      assert.match(stdout, new RegExp(`mode=${mode === 'http' && extra[1] === 'proto' ? 'http-proto' : mode} batchsize=5 threads=1\\nrequests=3 rows=15 failed=0`));
      outputs.set([mode, ...extra].join(' '), maps.join('\n'));
    }
    const reference = outputs.get('grpc');
    for (const [mode, maps] of outputs) assert.equal(maps, reference, `${mode} scores equal grpc's`);
  });

  it('refuses an unknown mode and a bad --http_body', async () => {
    await assert.rejects(run(process.execPath, [CLI, '--connect', t.target, '--client_mode', 'carrier-pigeon']), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /unknown --client_mode "carrier-pigeon"; supported: grpc, paddle-grpc, http, rpc/);
      return true;
    });
    await assert.rejects(run(process.execPath, [CLI, '--connect', t.target, '--client_mode', 'http', '--http_body', 'xml']), /--http_body must be json or proto; got "xml"/);
  });
});
