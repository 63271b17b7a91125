/**
 * The one reachable source of CUDA / TensorRT provider libraries matching our pinned
 * onnxruntime-node (../shared/docs/gpu.md): the npm package
 * com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9, built from ONNX Runtime 1.29.0 for CUDA 13.
 *
 * Contract: constants only. `integrity` is the registry's sha512 of the whole tarball (what npm
 * itself checks); `sha256` are the three libraries' own digests, checked after extraction.
 */
import type { GpuProviderFile } from './provider-install-state';

export interface GpuProviderPackageSpec {
  readonly name: string;
  readonly version: string;
  /** The ONNX Runtime version the libraries were built from; onnxruntime-node must equal it. */
  readonly ortVersion: string;
  /** Subresource-integrity string of the tarball (sha512, base64). */
  readonly integrity: string;
  /** Folder of the libraries inside the tarball. */
  readonly libraryDir: string;
  readonly sha256: Readonly<Record<GpuProviderFile, string>>;
}

export const GPU_PROVIDER_PACKAGE: GpuProviderPackageSpec = Object.freeze({
  name: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  version: '0.4.9',
  ortVersion: '1.29.0',
  integrity: 'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==',
  libraryDir: 'package/Plugins/Linux/x64',
  sha256: Object.freeze({
    'libonnxruntime_providers_cuda.so': '56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037',
    'libonnxruntime_providers_shared.so': 'c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772',
    'libonnxruntime_providers_tensorrt.so': 'ef6071798a339038ad66c428fb1a809cf8e499bffc3b6870e4e8bc4f4c6a6320',
  }),
});

/** The file name `npm pack <name>@<version>` writes. */
export function tarballFileName(spec: GpuProviderPackageSpec): string {
  return `${spec.name.replace(/^@/, '').replace(/\//g, '-')}-${spec.version}.tgz`;
}
