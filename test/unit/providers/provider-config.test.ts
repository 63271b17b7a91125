/**
 * Paddle's --gpu_ids / --use_trt, our --providers / --provider_policy and --precision, through
 * the real `loadServeConfig`: the mapping, and one refusal per bad combination with its message.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError } from '../../../src/config/parse-flags';
import { loadServeConfig } from '../../../src/config/serve-config';

const load = (...argv: string[]) => loadServeConfig(argv, {}, 2);

function refuses(argv: string[], message: RegExp): void {
  assert.throws(() => load(...argv), (error: unknown) => {
    assert.ok(error instanceof FlagError, String(error));
    assert.ok(error.problems.some((p) => message.test(p)), `no problem matched ${message}: ${JSON.stringify(error.problems)}`);
    return true;
  });
}

describe('provider flags', () => {
  it('defaults to the CPU, strict policy, fp32', () => {
    const config = load();
    assert.deepEqual(config.providerRequest, { providers: ['cpu'], deviceIds: [], policy: 'strict' });
    assert.deepEqual(config.executionProviders, [{ name: 'cpu' }]);
    assert.equal(config.precision, 'fp32');
    assert.equal(config.probeTimeoutMs, 60000);
  });

  it('maps --gpu_ids 0 to CUDA on device 0 and "" / -1 to the CPU', () => {
    assert.deepEqual(load('--gpu_ids', '0').providerRequest.providers, ['cuda']);
    assert.deepEqual(load('--gpu_ids', '0').executionProviders, [{ name: 'cuda', deviceId: 0 }]);
    assert.deepEqual(load('--gpu_ids', '-1').providerRequest.providers, ['cpu']);
  });

  it('maps several ids (Paddle\'s "0,1" and "0 1") to devices the workers spread over', () => {
    assert.deepEqual(load('--gpu_ids', '0,1').providerRequest.deviceIds, [0, 1]);
    assert.deepEqual(load('--gpu_ids', '2', '3').providerRequest.deviceIds, [2, 3]);
  });

  it('maps --use_trt to TensorRT then CUDA', () => {
    const config = load('--use_trt', '--gpu_ids', '1');
    assert.deepEqual(config.providerRequest.providers, ['tensorrt', 'cuda']);
    assert.deepEqual(config.executionProviders, [{ name: 'tensorrt', deviceId: 1 }, { name: 'cuda', deviceId: 1 }]);
  });

  it('takes an explicit --providers list and policy, also from the environment', () => {
    const config = load('--providers', 'webgpu,CPU', '--provider_policy', 'fallback');
    assert.deepEqual(config.providerRequest, { providers: ['webgpu', 'cpu'], deviceIds: [], policy: 'fallback' });
    assert.deepEqual(loadServeConfig([], { REC_SERVING_PROVIDERS: 'cuda', REC_SERVING_GPU_IDS: '1' }, 2).providerRequest.deviceIds, [1]);
  });

  it('refuses unknown providers, duplicates and bad device ids', () => {
    refuses(['--providers', 'cuda,dnnl'], /--providers: unknown provider "dnnl"; expected one of cpu, cuda, tensorrt, webgpu/);
    refuses(['--providers', 'cuda,cuda'], /--providers lists cuda twice/);
    refuses(['--gpu_ids', 'x'], /--gpu_ids must be device numbers \(0, 1, \.\.\.\); got "x"/);
    refuses(['--gpu_ids', '0,0'], /--gpu_ids lists device 0 twice/);
  });

  it('refuses contradictory flags', () => {
    refuses(['--use_trt', '--providers', 'cuda'], /--use_trt and --providers both choose the providers/);
    refuses(['--gpu_ids', '0', '--providers', 'cpu'], /--gpu_ids 0 needs a device-bound provider \(cuda or tensorrt\) in --providers; got cpu/);
    refuses(['--provider_policy', 'maybe'], /--provider_policy must be one of strict, fallback; got "maybe"/);
  });

  it('refuses fp16 per provider with the reason, and unknown precisions', () => {
    refuses(['--precision', 'fp16'], /--precision fp16 is not supported on provider cpu \(supported: fp32\): the CPU provider \(MLAS\)/);
    refuses(['--precision', 'fp16', '--use_trt'], /--precision fp16 is not supported on provider tensorrt .*trt_fp16_enable .* cannot be set from Node/);
    refuses(['--precision', 'FP16', '--gpu_ids', '0'], /--precision fp16 is not supported on provider cuda .*onnxruntime-node passes only deviceId/);
    refuses(['--precision', 'fp8'], /--precision must be one of fp32, fp16, int8, bf16; got "fp8"/);
    assert.equal(load('--precision', 'FP32', '--gpu_ids', '0').precision, 'fp32');
  });
});
