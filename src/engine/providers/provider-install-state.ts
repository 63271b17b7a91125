/**
 * Where onnxruntime-node keeps its native libraries on this host, which ONNX Runtime version it
 * is, and whether the opt-in GPU provider libraries (`npm run install-gpu`) sit next to
 * `libonnxruntime.so.1` with a marker for the same version.
 *
 * Contract: `readProviderInstallState()` only reads the file system (never loads a library) and
 * never throws for a missing marker or library: absence is data. `versionMismatch` is set when a
 * marker names another ONNX Runtime version than the installed onnxruntime-node: the bridge
 * between core and providers is unversioned, so such libraries must not be loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The provider libraries the GPU install places, by file name. */
export const GPU_PROVIDER_FILES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
  'libonnxruntime_providers_tensorrt.so',
] as const;
export type GpuProviderFile = (typeof GPU_PROVIDER_FILES)[number];

/** Written next to the libraries by the install; its `ortVersion` must equal onnxruntime-node's. */
export const PROVIDER_MARKER_FILE = 'rec-serving-gpu-providers.json';

export interface ProviderMarker {
  readonly ortVersion: string;
  readonly sourcePackage: string;
  readonly files: Readonly<Record<string, string>>;
  readonly installedAt: string;
}

export interface ProviderInstallState {
  /** onnxruntime-node's version (package.json). */
  readonly ortVersion: string;
  /** The folder holding libonnxruntime.so.1 for this platform. */
  readonly binDir: string;
  /** The provider libraries present in binDir. */
  readonly presentFiles: readonly GpuProviderFile[];
  readonly marker?: ProviderMarker;
  /** A human-readable refusal when the marker names another ONNX Runtime version. */
  readonly versionMismatch?: string;
}

/** onnxruntime-node's package folder (resolved the way `require('onnxruntime-node')` would). */
export function ortPackageDir(): string {
  return dirname(require.resolve('onnxruntime-node/package.json'));
}

/** napi-v6/<platform>/<arch>: where onnxruntime-node's loader looks for libonnxruntime. */
export function ortBinDir(packageDir: string = ortPackageDir()): string {
  return join(packageDir, 'bin', 'napi-v6', process.platform, process.arch);
}

export function readOrtVersion(packageDir: string = ortPackageDir()): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${join(packageDir, 'package.json')} has no version`);
  return pkg.version;
}

export function readProviderInstallState(packageDir: string = ortPackageDir()): ProviderInstallState {
  const ortVersion = readOrtVersion(packageDir);
  const binDir = ortBinDir(packageDir);
  const presentFiles = GPU_PROVIDER_FILES.filter((file) => existsSync(join(binDir, file)));
  const markerPath = join(binDir, PROVIDER_MARKER_FILE);
  let marker: ProviderMarker | undefined;
  let versionMismatch: string | undefined;
  if (existsSync(markerPath)) {
    try {
      marker = JSON.parse(readFileSync(markerPath, 'utf8')) as ProviderMarker;
    } catch (error) {
      versionMismatch = `${markerPath} is unreadable (${error instanceof Error ? error.message : String(error)}); run npm run install-gpu again`;
    }
    if (marker !== undefined && marker.ortVersion !== ortVersion) {
      versionMismatch = `the GPU provider libraries in ${binDir} were installed for ONNX Runtime ${marker.ortVersion}, but onnxruntime-node is ${ortVersion}; the provider bridge is unversioned, so they are not loaded (run npm run install-gpu for ${ortVersion})`;
    }
  }
  return { ortVersion, binDir, presentFiles, marker, versionMismatch };
}
