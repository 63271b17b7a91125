/**
 * The client library as a user gets it: `npm pack` the project, install the tarball into a
 * temporary project (offline, from npm's cache), compile a script against `rec-serving` with
 * `tsc --strict` (no skipLibCheck: the shipped .d.ts files must check), and run it against a
 * live server: metadata, predict over grpc and Paddle's HTTP, a typed error, close.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { makeConsumerProject } from '../helpers/consumer-project';
import { startTestServer, type TestServer } from '../helpers/test-server';

const execFileAsync = promisify(execFile);

const SCRIPT = `import { connect, Code, ServingError, type ModelClient, type Tensor } from 'rec-serving';

async function main(target: string): Promise<void> {
  const client: ModelClient = connect({ endpoints: [target], deadlineMs: 5000 });
  const meta = await client.metadata();
  const rows = 3;
  const feed: Record<string, Tensor> = { dense_input: { data: new Float32Array(rows * 13).fill(0.5), dims: [rows, 13] } };
  for (let i = 1; i <= 26; i++) feed['C' + i] = { data: BigInt64Array.from({ length: rows }, (_, r) => BigInt(r + i)), dims: [rows, 1] };
  const grpc = await client.predict(feed);
  const output = grpc.outputs[meta.outputs[0].alias];
  const http = connect({ endpoints: target, protocol: 'http' });
  const viaHttp = await http.predict(feed, { fetch: [meta.outputs[0].alias] });
  http.close();
  let error: { code: number; isInvalid: boolean; message: string } | undefined;
  try {
    await client.predict({ ...feed, dense_input: { data: new Float32Array(rows * 12), dims: [rows, 12] } });
  } catch (caught) {
    if (caught instanceof ServingError) error = { code: caught.code, isInvalid: caught.code === Code.INVALID_ARGUMENT, message: caught.message };
  }
  client.close();
  const scores: number[] = Array.from(output.data as Float32Array);
  process.stdout.write(JSON.stringify({
    inputs: meta.inputs.map((i) => i.alias), output: meta.outputs[0].alias, dtype: output.dtype, dims: output.dims, scores,
    httpScores: Array.from(viaHttp.outputs[meta.outputs[0].alias].data as Float32Array), error,
  }));
}

main(process.argv[2]).catch((error: unknown) => { console.error(error); process.exit(1); });
`;

describe('the packed client library', () => {
  let server: TestServer;
  let project: { dir: string; tarball: string } | { skip: string };
  before(async () => {
    project = await makeConsumerProject();
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
    if (project !== undefined && 'dir' in project) fs.rmSync(project.dir, { recursive: true, force: true });
  });

  it('installs from the tarball, compiles under tsc --strict and predicts against a live server', async (t) => {
    if ('skip' in project) {
      t.skip(project.skip);
      return;
    }
    const { dir } = project;
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'rec-serving', 'package.json'), 'utf8')) as { types: string };
    assert.ok(fs.existsSync(path.join(dir, 'node_modules', 'rec-serving', pkg.types)), 'the tarball ships the declarations');
    fs.writeFileSync(path.join(dir, 'main.ts'), SCRIPT);
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const compile = spawnSync(process.execPath, [tsc, '--strict', '--target', 'es2022', '--module', 'commonjs', '--moduleResolution', 'node10', '--types', 'node', '--outDir', 'out', 'main.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(compile.status, 0, `tsc --strict failed:\n${compile.stdout}${compile.stderr}`);
    // Asynchronously: the server runs in this process and must keep answering.
    const run = await execFileAsync(process.execPath, [path.join(dir, 'out', 'main.js'), server.target], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(run.stdout) as { inputs: string[]; output: string; dtype: string; dims: number[]; scores: number[]; httpScores: number[]; error?: { code: number; isInvalid: boolean; message: string } };
    assert.equal(result.inputs.length, 27);
    assert.equal(result.output, 'sigmoid_0.tmp_0');
    assert.equal(result.dtype, 'float32');
    assert.deepEqual(result.dims, [3, 1]);
    for (const score of result.scores) assert.ok(score > 0 && score < 1, String(score));
    assert.deepEqual(result.httpScores.map((s) => s.toFixed(5)), result.scores.map((s) => s.toFixed(5)));
    assert.equal(result.error?.isInvalid, true, JSON.stringify(result.error));
    assert.match(result.error!.message, /dense_input/);
    const version = (await execFileAsync(path.join(dir, 'node_modules', '.bin', 'rec-client'), ['--version'], { encoding: 'utf8' })).stdout;
    assert.match(version, /^rec-client \d+\.\d+\.\d+/);
  });
});
