/**
 * Flags that cannot be honoured are refused at start-up with the reason, or, when accepted for
 * Paddle compatibility, announced with a start-up warning: through the real `rec-serve` binary.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { makeTinyDeepFmDir } from '../helpers/test-server';

const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');

function runServe(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVE, ...args], { timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr });
    });
  });
}

/** Starts rec-serve, waits until it serves, then stops it; resolves with its stderr. */
function serveUntilReady(args: string[]): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`rec-serve did not start within 60 s:\n${stderr}`)); }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (/ INFO serving "/.test(stderr)) child.kill('SIGTERM');
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ stderr });
    });
  });
}

describe('serve flags that cannot be honoured', () => {
  it('refuses --device cpu together with --gpu_ids or --use_trt', async () => {
    const dir = makeTinyDeepFmDir().dir;
    const gpu = await runServe(['--model', dir, '--port', '0', '--device', 'cpu', '--gpu_ids', '0']);
    assert.equal(gpu.code, 2);
    assert.match(gpu.stderr, /--device cpu conflicts with --gpu_ids 0 \(which runs on CUDA\); drop --gpu_ids to run on the CPU, or pass --device gpu/);
    const trt = await runServe(['--model', dir, '--port', '0', '--device', 'cpu', '--use_trt']);
    assert.equal(trt.code, 2);
    assert.match(trt.stderr, /--device cpu conflicts with --use_trt/);
  });

  it('refuses --warmup_batch_sizes above --max_request_rows (given by its older name --max_batch_rows) instead of dropping them', async () => {
    const dir = makeTinyDeepFmDir().dir;
    const result = await runServe(['--model', dir, '--port', '0', '--max_batch_rows', '64', '--warmup_batch_sizes', '1,128,256']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--warmup_batch_sizes 128,256 are larger than --max_request_rows \(64\): a warm-up batch must be a request the server accepts/);
  });

  it('warns at start-up that --use_mkl, --workdir and polling without main-thread runs have no effect and that sub-millisecond queue delays round up to 1 ms', async () => {
    const dir = makeTinyDeepFmDir().dir;
    const result = await serveUntilReady(['--model', dir, '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', '--use_mkl', '--workdir', 'wd', '--max_queue_delay_micros', '200', '--inline_max_rows', '0', '--main_thread_poll_micros', '800']);
    assert.match(result.stderr, / WARN --main_thread_poll_micros 800 has no effect with --inline_max_rows 0: the event loop polls only after a request ran on the main thread, and none does/);
    assert.match(result.stderr, / WARN --workdir wd has no effect: Paddle writes generated configs there; rec-serving generates none/);
    assert.match(result.stderr, / INFO serving "/);
    assert.match(result.stderr, / WARN --use_mkl has no effect: the npm build of ONNX Runtime has no oneDNN \(MKL-DNN\) provider/);
    assert.match(result.stderr, / WARN --max_queue_delay_micros 200 is not a whole number of milliseconds: the batcher's timer has 1000 µs granularity \(setTimeout\), so a free worker waits up to 1000 µs, not 200 µs/);
  });

  it('gives no such warning for a plain command line', async () => {
    const dir = makeTinyDeepFmDir().dir;
    const result = await serveUntilReady(['--model', dir, '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', '--max_queue_delay_micros', '2000']);
    assert.match(result.stderr, / INFO serving "/);
    assert.doesNotMatch(result.stderr, /--use_mkl|--max_queue_delay_micros|--main_thread_poll_micros/);
  });
});
