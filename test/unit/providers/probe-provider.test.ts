/**
 * Real provider probes in child processes: CUDA and TensorRT on a device no host has are
 * unavailable everywhere, with ONNX Runtime's reason (its own loader error where the GPU libraries
 * are not installed), WebGPU reports what really happens here, a crashing or hanging probe is
 * contained, and libraries installed for another ONNX Runtime version are not loaded.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { probeProviders } from '../../../src/engine/providers/probe-provider';
import { readProviderInstallState } from '../../../src/engine/providers/provider-install-state';

const state = readProviderInstallState();
const gpuInstalled = state.presentFiles.length === 3 && state.versionMismatch === undefined;
/** A device number that exists on no host. */
const NO_DEVICE = 997;

describe('probeProviders (child processes)', () => {
  it('reports cpu as built in without starting a child', async () => {
    const [cpu] = await probeProviders([{ provider: 'cpu' }]);
    assert.equal(cpu.available, true);
    assert.equal(cpu.outcome, 'built-in');
    assert.equal(cpu.elapsedMs, 0);
  });

  it('CUDA and TensorRT on a device no host has: unavailable, with ONNX Runtime\'s reason', async () => {
    const results = await probeProviders([{ provider: 'cuda', deviceId: NO_DEVICE }, { provider: 'tensorrt', deviceId: NO_DEVICE }]);
    for (const result of results) {
      assert.equal(result.available, false, result.reason);
      assert.ok(result.outcome === 'failed' || result.outcome === 'crashed', `${result.outcome}: ${result.reason}`); // contained either way
      assert.equal(result.deviceId, NO_DEVICE);
      assert.match(result.reason, /\S/);
      assert.ok(!result.reason.includes('\u001b[') && !result.stderrTail.includes('\u001b['), 'colour codes are stripped');
    }
    assert.deepEqual(results.map((r) => r.provider), ['cuda', 'tensorrt']);
  });

  it('CUDA and TensorRT without the GPU libraries: the loader\'s own error', { skip: gpuInstalled && 'GPU providers are installed on this host' }, async () => {
    const results = await probeProviders([{ provider: 'cuda', deviceId: 0 }, { provider: 'tensorrt', deviceId: 0 }]);
    for (const result of results) {
      assert.equal(result.available, false, result.reason);
      assert.equal(result.outcome, 'failed');
      // Without the GPU install: the provider bridge is missing; with it but no CUDA 13: libcublas*.so.13.
      assert.ok(result.loaderErrors.some((l) => /\.so[.\d]*: cannot open shared object file: No such file or directory/.test(l)), JSON.stringify(result));
      assert.match(result.reason, /Failed to load shared library: .*\.so[.\d]*: cannot open shared object file/);
      assert.match(result.stderrTail, /Failed to load library/);
      assert.ok(!result.stderrTail.includes('\u001b['), 'colour codes are stripped');
    }
    assert.match(results[0].reason, /^OrtSessionOptionsAppendExecutionProvider_Cuda/);
    assert.match(results[1].reason, /^OrtSessionOptionsAppendExecutionProvider_TensorRT/);
  });

  it('WebGPU: reports honestly what happens on this host', async () => {
    const [webgpu] = await probeProviders([{ provider: 'webgpu' }]);
    if (webgpu.available) {
      assert.equal(webgpu.outcome, 'ran');
      assert.match(webgpu.reason, /ran half_plus_two/);
    } else {
      assert.equal(webgpu.outcome, 'failed');
      // No Vulkan loader or no adapter: the reason says which.
      assert.match(webgpu.reason, /WebGPU adapter|Vulkan/);
    }
  });

  it('contains a probe child that crashes (the parent survives and says how it ended)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-serving-crash-'));
    const preload = join(dir, 'crash.js');
    writeFileSync(preload, "process.stderr.write('simulated provider abort\\n'); process.kill(process.pid, 'SIGSEGV');\n");
    const [result] = await probeProviders([{ provider: 'webgpu' }], { env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(result.available, false);
    assert.equal(result.outcome, 'crashed');
    assert.match(result.reason, /probe process was killed by SIGSEGV: simulated provider abort/);
  });

  it('kills a probe that exceeds its timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-serving-hang-'));
    const preload = join(dir, 'hang.js');
    writeFileSync(preload, 'const end = Date.now() + 30000; while (Date.now() < end) {}\n');
    const [result] = await probeProviders([{ provider: 'cuda', deviceId: 0 }], { timeoutMs: 500, env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(result.outcome, 'timed-out');
    assert.match(result.reason, /probe did not finish within 500 ms and was killed/);
  });

  it('refuses GPU libraries installed for another ONNX Runtime version without loading them', async () => {
    const mismatched = { ...state, versionMismatch: 'installed for ONNX Runtime 1.28.0, but onnxruntime-node is 1.29.0' };
    const [cuda, cpu] = await probeProviders([{ provider: 'cuda', deviceId: 0 }, { provider: 'cpu' }], { installState: mismatched });
    assert.equal(cuda.outcome, 'refused');
    assert.match(cuda.reason, /1\.28\.0/);
    assert.equal(cpu.available, true);
  });
});
