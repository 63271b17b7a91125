/**
 * Execution-provider selection through the real server, on any host: the GPU providers are asked
 * for devices no machine has (CUDA and TensorRT are unavailable there whether or not CUDA works
 * here), so strict mode refuses to start with the probe's reason (in-process and as `rec-serve`
 * exit 1) and fallback mode serves on the CPU and says so in the log and in the model metadata.
 * The expected reasons come from probing the same targets in the test.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { probeProviders, type ProviderProbeResult } from '../../src/engine/providers/probe-provider';
import { publicView } from '../../src/grpc/model-metadata';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
/** Device numbers that exist on no host. */
const NO_DEVICE = 997;
const NO_DEVICE_2 = 998;

function runServe(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVE, ...args], { timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr });
    });
  });
}

/** The probe's reason, as the server must quote it. */
const probed = new Map<string, ProviderProbeResult>();
const reasonFor = (provider: 'cuda' | 'tensorrt', deviceId: number): string => {
  const probe = probed.get(`${provider}:${deviceId}`);
  assert.ok(probe, `${provider}:${deviceId} was probed`);
  assert.equal(probe.available, false, `${provider} on device ${deviceId}: ${probe.reason}`);
  return probe.reason;
};

describe('providers on devices that exist on no host', () => {
  before(async () => {
    const targets = [{ provider: 'cuda' as const, deviceId: NO_DEVICE }, { provider: 'tensorrt' as const, deviceId: NO_DEVICE }, { provider: 'cuda' as const, deviceId: NO_DEVICE_2 }];
    for (const probe of await probeProviders(targets)) probed.set(`${probe.provider}:${probe.deviceId}`, probe);
  });

  it('strict (the default): --gpu_ids N refuses to start with the probe\'s reason for that device', async () => {
    await assert.rejects(startTestServer({ flags: ['--gpu_ids', String(NO_DEVICE)] }), (error: unknown) => {
      assert.ok(error instanceof Error);
      const expected = `strict provider policy: a requested provider is unavailable: cuda (device ${NO_DEVICE}): ${reasonFor('cuda', NO_DEVICE)}`;
      assert.ok(error.message.startsWith(expected), `${error.message}\ndoes not start with\n${expected}`);
      return true;
    });
  });

  it('strict: --use_trt names both TensorRT and CUDA with their reasons', async () => {
    await assert.rejects(startTestServer({ flags: ['--use_trt', '--gpu_ids', String(NO_DEVICE)] }), (error: unknown) => {
      assert.ok(error instanceof Error);
      const expected = `strict provider policy: requested providers are unavailable: tensorrt (device ${NO_DEVICE}): ${reasonFor('tensorrt', NO_DEVICE)} | cuda (device ${NO_DEVICE}): ${reasonFor('cuda', NO_DEVICE)}`;
      assert.ok(error.message.startsWith(expected), `${error.message}\ndoes not start with\n${expected}`);
      return true;
    });
  });

  it('rec-serve exits 1 with the reason in strict mode and 2 for --precision fp16', async () => {
    const { dir } = makeTinyDeepFmDir();
    const strict = await runServe(['--model', dir, '--port', '0', '--host', '127.0.0.1', '--thread', '1', '--providers', 'cuda', '--gpu_ids', String(NO_DEVICE)]);
    assert.equal(strict.code, 1, strict.stderr);
    assert.ok(strict.stderr.includes(`WARN provider cuda (device ${NO_DEVICE}) is unavailable: ${reasonFor('cuda', NO_DEVICE)}`), strict.stderr);
    assert.match(strict.stderr, new RegExp(`cannot serve: strict provider policy: .*cuda \\(device ${NO_DEVICE}\\)`));
    const fp16 = await runServe(['--model', dir, '--port', '0', '--use_trt', '--precision', 'fp16']);
    assert.equal(fp16.code, 2);
    assert.match(fp16.stderr, /rec-serve: --precision fp16 is not supported on provider tensorrt .*trt_fp16_enable/);
  });

  describe(`fallback: --providers cuda --gpu_ids ${NO_DEVICE},${NO_DEVICE_2} --provider_policy fallback`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ flags: ['--providers', 'cuda', '--gpu_ids', `${NO_DEVICE},${NO_DEVICE_2}`, '--provider_policy', 'fallback'] });
    });
    after(() => t?.stop());

    it('serves predictions', async () => {
      const result = await t.client.predict(criteoFeed(5));
      assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [5, 1]);
    });

    it('says in the log which provider runs the model and why the others were skipped', () => {
      const log = t.logLines.join('\n');
      assert.match(log, new RegExp(`INFO probing execution providers in child processes: cuda \\(device ${NO_DEVICE}\\), cuda \\(device ${NO_DEVICE_2}\\)`));
      assert.ok(log.includes(`WARN provider cuda (device ${NO_DEVICE_2}) is unavailable: ${reasonFor('cuda', NO_DEVICE_2)}`), log);
      assert.ok(log.includes(`runs on cpu (fallback: no requested provider is available); skipped cuda (device ${NO_DEVICE}): ${reasonFor('cuda', NO_DEVICE)}; skipped cuda (device ${NO_DEVICE_2}): ${reasonFor('cuda', NO_DEVICE_2)}`), log);
    });

    it('says so in the model metadata', async () => {
      const meta = await t.client.getModelMetadata();
      assert.deepEqual(meta.executionProviders, ['cpu']);
      const engine = JSON.parse(meta.effectiveConfigJson).engine;
      const providers = engine.details.providers;
      assert.equal(providers.policy, 'fallback');
      assert.deepEqual(providers.requested, ['cuda']);
      assert.deepEqual(providers.deviceIds, [NO_DEVICE, NO_DEVICE_2]);
      assert.deepEqual(providers.runsOn, ['cpu']);
      assert.equal(providers.fellBackToCpu, true);
      assert.deepEqual(providers.skipped.map((s: { provider: string; deviceId?: number }) => `${s.provider}:${s.deviceId ?? '-'}`), [`cuda:${NO_DEVICE}`, `cuda:${NO_DEVICE_2}`]);
      const cuda = providers.probes.find((p: { provider: string; deviceId?: number }) => p.provider === 'cuda' && p.deviceId === NO_DEVICE);
      assert.equal(cuda.available, false);
      assert.equal(cuda.reason, publicView(reasonFor('cuda', NO_DEVICE)), 'the probe reason, with absolute paths cut as metadata shows them');
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
