/**
 * The strict / fallback policy over probe results: which chain each worker gets, what is skipped
 * and why, and that strict mode refuses with every reason.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderProbeResult } from '../../../src/engine/providers/probe-provider';
import { ProviderSelectionError, probeTargetsFor, selectProviders, type ProviderRequest } from '../../../src/engine/providers/select-providers';

function probe(provider: ProviderProbeResult['provider'], deviceId: number | undefined, available: boolean, reason = available ? 'ran' : `${provider} missing lib`): ProviderProbeResult {
  return { provider, deviceId, available, reason, loaderErrors: [], stderrTail: '', outcome: available ? 'ran' : 'failed', elapsedMs: 1 };
}

describe('probeTargetsFor', () => {
  it('probes device-bound providers once per device and the others once', () => {
    const request: ProviderRequest = { providers: ['tensorrt', 'cuda', 'webgpu'], deviceIds: [0, 1], policy: 'strict' };
    assert.deepEqual(probeTargetsFor(request), [
      { provider: 'tensorrt', deviceId: 0 }, { provider: 'tensorrt', deviceId: 1 },
      { provider: 'cuda', deviceId: 0 }, { provider: 'cuda', deviceId: 1 },
      { provider: 'webgpu' },
    ]);
  });

  it('uses device 0 when a GPU provider is asked for without device ids', () => {
    assert.deepEqual(probeTargetsFor({ providers: ['cuda'], deviceIds: [], policy: 'strict' }), [{ provider: 'cuda', deviceId: 0 }]);
  });
});

describe('selectProviders', () => {
  it('spreads workers round-robin over the devices (--gpu_ids 0,1)', () => {
    const selection = selectProviders({ providers: ['cuda'], deviceIds: [0, 1], policy: 'strict' }, [probe('cuda', 0, true), probe('cuda', 1, true)], 3);
    assert.deepEqual(selection.chains, ['cuda:0', 'cuda:1']);
    assert.deepEqual(selection.workerChains.map((c) => c.map((p) => ('deviceId' in p ? p.deviceId : -1))), [[0], [1], [0]]);
    assert.equal(selection.fellBackToCpu, false);
    assert.deepEqual(selection.skipped, []);
  });

  it('strict: refuses with every failing provider and its reason', () => {
    const request: ProviderRequest = { providers: ['tensorrt', 'cuda'], deviceIds: [0], policy: 'strict' };
    assert.throws(
      () => selectProviders(request, [probe('tensorrt', 0, false, 'libnvinfer.so.10: cannot open shared object file'), probe('cuda', 0, true)], 1),
      (error: unknown) => {
        assert.ok(error instanceof ProviderSelectionError);
        assert.equal(error.failures.length, 1);
        assert.match(error.message, /strict provider policy: a requested provider is unavailable: tensorrt \(device 0\): libnvinfer\.so\.10: cannot open shared object file .*--provider_policy fallback/);
        return true;
      },
    );
  });

  it('fallback: --use_trt without TensorRT runs CUDA and says why TensorRT was skipped', () => {
    const selection = selectProviders({ providers: ['tensorrt', 'cuda'], deviceIds: [0], policy: 'fallback' }, [probe('tensorrt', 0, false, 'libnvinfer.so.10 missing'), probe('cuda', 0, true)], 2);
    assert.deepEqual(selection.chains, ['cuda:0']);
    assert.match(selection.summary, /^runs on cuda:0; skipped tensorrt \(device 0\): libnvinfer\.so\.10 missing$/);
  });

  it('fallback: keeps the working order when both work (TensorRT first, then CUDA)', () => {
    const selection = selectProviders({ providers: ['tensorrt', 'cuda'], deviceIds: [0], policy: 'fallback' }, [probe('tensorrt', 0, true), probe('cuda', 0, true)], 1);
    assert.deepEqual(selection.chains, ['tensorrt:0>cuda:0']);
  });

  it('fallback: drops a failing device and keeps the others', () => {
    const selection = selectProviders({ providers: ['cuda'], deviceIds: [0, 1], policy: 'fallback' }, [probe('cuda', 0, false, 'CUDA failure 100'), probe('cuda', 1, true)], 2);
    assert.deepEqual(selection.chains, ['cuda:1']);
    assert.equal(selection.workerChains.length, 2);
  });

  it('fallback: nothing available -> every worker on the CPU, flagged and explained', () => {
    const selection = selectProviders({ providers: ['cuda', 'webgpu'], deviceIds: [], policy: 'fallback' }, [probe('cuda', 0, false, 'no cuda'), probe('webgpu', undefined, false, 'no adapter')], 2);
    assert.deepEqual(selection.chains, ['cpu']);
    assert.equal(selection.fellBackToCpu, true);
    assert.match(selection.summary, /runs on cpu \(fallback: no requested provider is available\); skipped cuda \(device 0\): no cuda; skipped webgpu: no adapter/);
  });

  it('fallback: a device-less provider that works is one chain, not one per device', () => {
    const selection = selectProviders({ providers: ['cuda', 'webgpu'], deviceIds: [0, 1], policy: 'fallback' }, [probe('cuda', 0, false), probe('cuda', 1, false), probe('webgpu', undefined, true)], 2);
    assert.deepEqual(selection.chains, ['webgpu']);
  });

  it('reports a requested provider that was never probed as skipped', () => {
    assert.throws(() => selectProviders({ providers: ['cuda'], deviceIds: [3], policy: 'strict' }, [probe('cuda', 0, true)], 1), /cuda \(device 3\): was not probed/);
  });

  it('warns when there are more devices than workers', () => {
    const selection = selectProviders({ providers: ['cuda'], deviceIds: [0, 1], policy: 'strict' }, [probe('cuda', 0, true), probe('cuda', 1, true)], 1);
    assert.match(selection.summary, /only 1 worker\(s\) for 2 devices: cuda:1 unused/);
  });

  it('rejects an empty request and a bad worker count', () => {
    assert.throws(() => selectProviders({ providers: [], deviceIds: [], policy: 'strict' }, [], 1), /lists no providers/);
    assert.throws(() => selectProviders({ providers: ['cpu'], deviceIds: [], policy: 'strict' }, [], 0), /workers must be a positive integer; got 0/);
  });
});
