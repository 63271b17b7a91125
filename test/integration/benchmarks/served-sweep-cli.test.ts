/**
 * The served sweep as a reader runs it (child process, real rec-serve children), at test size:
 * it reports overall progress with the time left, writes into its own run folder and publishes
 * only with --publish, and Ctrl-C (SIGINT) leaves no rec-serve behind. Checks behaviour, never
 * timing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { makeTempDir } from '../../helpers/test-server';

const SWEEP = path.join(REPO_ROOT, 'dist', 'benchmarks', 'served-sweep.js');
const MODEL = path.join(REPO_ROOT, 'serving_server', 'model.onnx');
const SKIP = fs.existsSync(MODEL) ? false : 'serving_server/model.onnx is absent (npm install generates it): skipping the served sweep';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const TINY = ['--batch_sizes', '1', '--concurrency', '1', '--rate_fractions', '0.5', '--client_modes', 'grpc', '--lines', '300', '--label', 'test'];

test('progress with time left, a run folder, and --publish into the given folder only', { skip: SKIP }, async () => {
  const cache = makeTempDir('sweep-cache');
  const publishDir = makeTempDir('sweep-publish');
  const tracked = path.join(REPO_ROOT, 'benchmarks', 'results', 'served-sweep-quick.md');
  const trackedBefore = fs.existsSync(tracked) ? fs.statSync(tracked).mtimeMs : 0;
  const child = spawn(process.execPath, [SWEEP, ...TINY, '--window_ms', '100', '--max_windows', '3', '--cache_dir', cache, '--publish', '--publish_dir', publishDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /\[step 4\/4, \d+s elapsed, ~0s left\]/);
  assert.match(stderr, /\[step 1\/4, \d+s elapsed, ~\d+s left\]/);
  const wrote = /wrote (\S+?served-sweep-test\.md)/.exec(stdout);
  assert.ok(wrote, stdout.slice(-500));
  const runDir = path.dirname(wrote[1]);
  try {
    assert.match(path.relative(REPO_ROOT, runDir), /^benchmarks\/runs\/\d{8}-\d{6}Z-served-sweep-test$/);
    const files = fs.readdirSync(runDir).sort();
    assert.deepEqual(files, ['served-sweep-test-perf-analyzer-concurrency.csv', 'served-sweep-test-perf-analyzer-rate.csv', 'served-sweep-test.csv', 'served-sweep-test.json', 'served-sweep-test.md', 'served-sweep-test.svg']);
    assert.deepEqual(fs.readdirSync(publishDir).sort(), files);
    assert.match(stdout, /published /);
    assert.equal(fs.existsSync(tracked) ? fs.statSync(tracked).mtimeMs : 0, trackedBefore, 'benchmarks/results/ untouched');
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test('Ctrl-C (SIGINT) stops the sweep and the rec-serve it started', { skip: SKIP }, async () => {
  const cache = makeTempDir('sweep-cache');
  const out = makeTempDir('sweep-out');
  const child = spawn(process.execPath, [SWEEP, ...TINY, '--window_ms', '2000', '--max_windows', '50', '--cache_dir', cache, '--out_dir', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const pid = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const match = /rec-serve \([^)]*\) is pid (\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the sweep exited (${code}) before starting rec-serve:\n${stderr}`)));
  });
  assert.ok(alive(pid));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, `rec-serve ${pid} is still running after the sweep was interrupted`);
  assert.match(stderr, /SIGINT: stopping 1 child process\(es\) and exiting/);
});
