#!/usr/bin/env node
/**
 * `npm run install-gpu`: the opt-in GPU step, never part of `npm install`. Places ONNX Runtime's
 * CUDA / TensorRT provider libraries (verified) next to libonnxruntime.so.1 and writes a version
 * marker; then lists the host libraries the CUDA provider still cannot find (ldd), since those
 * come from the host: NVIDIA driver, CUDA 13 runtime, cuDNN 9, on LD_LIBRARY_PATH.
 *
 * Offline: `--offline` (or REC_SERVING_GPU_OFFLINE=1) uses only the tarball cached in
 * --cache_dir; `--tarball FILE` (or REC_SERVING_GPU_TARBALL) installs from a given tarball;
 * `--from_dir DIR` from the three already extracted files (what the GPU carry ships).
 *
 * Exit codes: 0 installed, 1 refused (version, checksum, missing input), 2 bad flags.
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FlagError, answerHelpOrVersion, parseFlags, type FlagSpecs } from '../config/parse-flags';
import { GPU_PROVIDER_PACKAGE } from '../engine/providers/gpu-provider-package';
import { GpuInstallError, installGpuProviders, type GpuInstallSource } from '../engine/providers/install-providers';
import { ortPackageDir } from '../engine/providers/provider-install-state';
import { runMain } from './run-main';

const FLAGS: FlagSpecs = {
  cache_dir: { kind: 'string', help: 'where the tarball is cached (REC_SERVING_CACHE_DIR)', defaultText: '$XDG_CACHE_HOME/rec-serving/gpu or ~/.cache/rec-serving/gpu' },
  tarball: { kind: 'string', help: 'install from this tarball instead of the cache / npm pack (REC_SERVING_GPU_TARBALL)' },
  from_dir: { kind: 'string', help: 'install the three provider .so files from this folder (already extracted; still sha256-checked)' },
  offline: { kind: 'boolean', help: 'never run npm pack; use the cached tarball (REC_SERVING_GPU_OFFLINE=1)', defaultText: 'false' },
  ort_dir: { kind: 'string', help: 'onnxruntime-node package folder', defaultText: 'the one require() resolves' },
  help: { kind: 'boolean', help: 'print this help' },
};

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.REC_SERVING_CACHE_DIR) return join(env.REC_SERVING_CACHE_DIR, 'gpu');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rec-serving', 'gpu');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (answerHelpOrVersion(argv, `usage: npm run install-gpu -- [flags]\ninstalls ${GPU_PROVIDER_PACKAGE.name}@${GPU_PROVIDER_PACKAGE.version} (ONNX Runtime ${GPU_PROVIDER_PACKAGE.ortVersion} CUDA/TensorRT providers)`, FLAGS, 'install-gpu')) return 0;
  let flags;
  try {
    flags = parseFlags(argv, FLAGS);
  } catch (error) {
    if (error instanceof FlagError) {
      process.stderr.write(`install-gpu: ${error.problems.join('\ninstall-gpu: ')}\n`);
      return 2;
    }
    throw error;
  }
  const env = process.env;
  const tarball = (flags.tarball as string | undefined) ?? (env.REC_SERVING_GPU_TARBALL || undefined);
  const fromDir = flags.from_dir as string | undefined;
  if (tarball !== undefined && fromDir !== undefined) {
    process.stderr.write('install-gpu: --tarball and --from_dir both name the source; give one\n');
    return 2;
  }
  const source: GpuInstallSource = fromDir !== undefined ? { kind: 'directory', path: fromDir } : tarball !== undefined ? { kind: 'tarball', path: tarball } : { kind: 'registry' };
  const log = (line: string) => process.stderr.write(`install-gpu: ${line}\n`);
  try {
    const result = await installGpuProviders({
      source,
      cacheDir: (flags.cache_dir as string | undefined) ?? defaultCacheDir(env),
      offline: flags.offline === true || env.REC_SERVING_GPU_OFFLINE === '1',
      ortPackageDir: (flags.ort_dir as string | undefined) ?? ortPackageDir(),
      log,
    });
    log(`installed for ONNX Runtime ${result.marker.ortVersion}; marker written`);
    reportHostLibraries(join(result.binDir, 'libonnxruntime_providers_cuda.so'), log);
    return 0;
  } catch (error) {
    if (error instanceof GpuInstallError) {
      process.stderr.write(`install-gpu: refused:\ninstall-gpu:   ${error.problems.join('\ninstall-gpu:   ')}\n`);
      return 1;
    }
    throw error;
  }
}

/** What the CUDA provider needs from the host and does not find (ldd), as a reminder of the requirements. */
function reportHostLibraries(cudaProvider: string, log: (line: string) => void): void {
  const ldd = spawnSync('ldd', [cudaProvider], { encoding: 'utf8' });
  if (ldd.error !== undefined || ldd.status !== 0) {
    log('could not run ldd to check the host libraries; the CUDA provider needs the CUDA 13 runtime, cuBLAS, cuRAND, cuDNN 9, cuFFT and NVRTC on LD_LIBRARY_PATH');
    return;
  }
  const missing = ldd.stdout.split('\n').filter((line) => line.includes('not found')).map((line) => line.trim().split(/\s+/)[0]);
  if (missing.length === 0) log('ldd: every library the CUDA provider links against is found on this host');
  else log(`ldd: not found on this host (put the CUDA 13 / cuDNN 9 folders on LD_LIBRARY_PATH before starting node): ${missing.join(', ')}`);
}

runMain('install-gpu', main);
