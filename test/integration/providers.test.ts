/**
 * Execution-provider selection through the real server on this GPU-less machine: strict mode
 * refuses to start with the probe's loader error (in-process and as `rec-serve` exit 1);
 * fallback mode serves on the CPU and says so in the log and in the model metadata.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/config/repo-root';
import { readProviderInstallState } from '../../src/engine/providers/provider-install-state';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
const state = readProviderInstallState();
const noCuda = state.presentFiles.length < 3 ? 'GPU providers are not installed' : 'CUDA 13 libraries are not on LD_LIBRARY_PATH';
// On a host where CUDA really works these tests describe the wrong world; they are for CPU machines.
const LOADER_ERROR = /\.so[.\d]*: cannot open shared object file: No such file or directory/;

function runServe(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVE, ...args], { timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr });
    });
  });
}

describe(`providers on a CPU-only host (${noCuda})`, () => {
  it('strict (the default): --gpu_ids 0 refuses to start with the loader error', async () => {
    await assert.rejects(startTestServer({ flags: ['--gpu_ids', '0'] }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^strict provider policy: a requested provider is unavailable: cuda \(device 0\): OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library/);
      assert.match(error.message, LOADER_ERROR);
      return true;
    });
  });

  it('strict: --use_trt names both TensorRT and CUDA with their reasons', async () => {
    await assert.rejects(startTestServer({ flags: ['--use_trt', '--gpu_ids', '0'] }), /requested providers are unavailable: tensorrt \(device 0\): .*cannot open shared object file.* \| cuda \(device 0\): .*cannot open shared object file/);
  });

  it('rec-serve exits 1 with the reason in strict mode and 2 for --precision fp16', async () => {
    const { dir } = makeTinyDeepFmDir();
    const strict = await runServe(['--model', dir, '--port', '0', '--host', '127.0.0.1', '--thread', '1', '--providers', 'cuda']);
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stderr, /WARN provider cuda \(device 0\) is unavailable: .*cannot open shared object file/);
    assert.match(strict.stderr, /cannot serve: strict provider policy: .*cuda \(device 0\)/);
    const fp16 = await runServe(['--model', dir, '--port', '0', '--use_trt', '--precision', 'fp16']);
    assert.equal(fp16.code, 2);
    assert.match(fp16.stderr, /rec-serve: --precision fp16 is not supported on provider tensorrt .*trt_fp16_enable/);
  });

  describe('fallback: --providers cuda,webgpu --gpu_ids 0,1 --provider_policy fallback', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ flags: ['--providers', 'cuda,webgpu', '--gpu_ids', '0,1', '--provider_policy', 'fallback'] });
    });
    after(() => t?.stop());

    it('serves predictions', async () => {
      const result = await t.client.predict(criteoFeed(5));
      assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [5, 1]);
    });

    it('says in the log which provider runs the model and why the others were skipped', () => {
      const log = t.logLines.join('\n');
      assert.match(log, /INFO probing execution providers in child processes: cuda \(device 0\), cuda \(device 1\), webgpu/);
      assert.match(log, /WARN provider cuda \(device 1\) is unavailable: .*cannot open shared object file/);
      assert.match(log, /WARN model "[^"]+" runs on cpu \(fallback: no requested provider is available\); skipped cuda \(device 0\): .*; skipped cuda \(device 1\): .*; skipped webgpu: /);
    });

    it('says so in the model metadata', async () => {
      const meta = await t.client.getModelMetadata();
      assert.deepEqual(meta.executionProviders, ['cpu']);
      const engine = JSON.parse(meta.effectiveConfigJson).engine;
      const providers = engine.details.providers;
      assert.equal(providers.policy, 'fallback');
      assert.deepEqual(providers.requested, ['cuda', 'webgpu']);
      assert.deepEqual(providers.deviceIds, [0, 1]);
      assert.deepEqual(providers.runsOn, ['cpu']);
      assert.equal(providers.fellBackToCpu, true);
      assert.deepEqual(providers.skipped.map((s: { provider: string; deviceId?: number }) => `${s.provider}:${s.deviceId ?? '-'}`), ['cuda:0', 'cuda:1', 'webgpu:-']);
      const cuda = providers.probes.find((p: { provider: string }) => p.provider === 'cuda');
      assert.equal(cuda.available, false);
      assert.ok(cuda.loaderErrors.some((l: string) => LOADER_ERROR.test(l)), JSON.stringify(cuda));
      assert.deepEqual(engine.details.workerProviderChains, ['cpu']);
    });
  });

  it('a CPU-only server starts no probe and reports cpu', async () => {
    const t = await startTestServer();
    try {
      assert.ok(!t.logLines.some((l) => /probing execution providers/.test(l)));
      const meta = await t.client.getModelMetadata();
      assert.deepEqual(meta.executionProviders, ['cpu']);
      assert.equal(JSON.parse(meta.effectiveConfigJson).engine.details.providers.summary, 'runs on cpu');
    } finally {
      await t.stop();
    }
  });
});
