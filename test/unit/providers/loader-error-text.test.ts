/**
 * Cause extraction from ONNX Runtime's / Dawn's stderr, on text captured from real failures
 * (onnxruntime-node 1.29.0 on a host without CUDA, with and without the provider libraries).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loaderCauses, shortOrtError, stripAnsi, tail } from '../../../src/engine/providers/loader-error-text';

const ESC = '\u001b';
const NO_PROVIDERS = `${ESC}[1;31m2026-11-23 13:02:32.794565384 [E:onnxruntime:onnxruntime-node, provider_bridge_ort.cc:2146 Create] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library /x/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so with error: /x/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory\n${ESC}[m\n`;
const NO_CUBLAS = `${ESC}[1;31m2026-11-23 13:10:08.610209068 [E:onnxruntime:onnxruntime-node, provider_bridge_ort.cc:2146 Create] ... FAIL : Failed to load library /x/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory\n${ESC}[m\n`;
const NO_VULKAN = "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n    at operator() (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/BackendVk.cpp:364)\n";

describe('loaderCauses', () => {
  it('names the missing provider bridge when no GPU install was done', () => {
    assert.deepEqual(loaderCauses(NO_PROVIDERS), ['libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory']);
  });

  it('names the missing CUDA library when the providers are installed but CUDA 13 is not on LD_LIBRARY_PATH', () => {
    assert.deepEqual(loaderCauses(NO_CUBLAS), ['libcublasLt.so.13: cannot open shared object file: No such file or directory']);
  });

  it('keeps the Vulkan line whole and does not repeat the dlopen line inside it', () => {
    assert.deepEqual(loaderCauses(NO_VULKAN), ["Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory"]);
  });

  it('reports damaged libraries, CUDA runtime failures, and distinct causes in order', () => {
    const text = 'x: /a/libonnxruntime_providers_cuda.so: invalid ELF header\nCUDA failure 100: no CUDA-capable device is detected ; GPU=0\n' + NO_CUBLAS;
    assert.deepEqual(loaderCauses(text), [
      'libonnxruntime_providers_cuda.so: invalid ELF header',
      'CUDA failure 100: no CUDA-capable device is detected',
      'libcublasLt.so.13: cannot open shared object file: No such file or directory',
    ]);
  });

  it('returns nothing for unrelated output', () => {
    assert.deepEqual(loaderCauses('all good\n'), []);
  });
});

describe('shortOrtError / stripAnsi / tail', () => {
  it('drops the ORT source prefix of an exception', () => {
    const message = "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:100 onnxruntime::webgpu::WebGpuContext::Initialize(...)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n";
    assert.equal(shortOrtError(message), 'Failed to get a WebGPU adapter: No supported adapters');
    assert.equal(shortOrtError('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library'), 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
  });

  it('strips colour codes and keeps the tail on a line boundary', () => {
    assert.equal(stripAnsi(`${ESC}[1;31mred${ESC}[m`), 'red');
    assert.equal(tail('first line\nsecond line\nthird', 14), 'third');
    assert.equal(tail('short', 100), 'short');
  });
});
