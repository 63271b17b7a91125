/**
 * The opt-in GPU install (`npm run install-gpu`): fetch the provider package with `npm pack` into
 * a cache folder (or use a cached / given tarball, or already extracted files), verify the
 * tarball's sha512 integrity and each library's sha256, extract only the three provider
 * libraries, place them next to libonnxruntime.so.1 and write a marker with the ONNX Runtime
 * version.
 *
 * Contract: `installGpuProviders` either places all three verified files and the marker, or
 * changes nothing in the target folder and rejects with `GpuInstallError`, whose `problems` name
 * the input, the expected and the actual value (version mismatch, integrity, checksum, missing
 * file, offline without a cache). Files are written under a temporary name and renamed, so a
 * crash never leaves a half-written library where ONNX Runtime loads it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { GPU_PROVIDER_PACKAGE, tarballFileName, type GpuProviderPackageSpec } from './gpu-provider-package';
import { GPU_PROVIDER_FILES, PROVIDER_MARKER_FILE, ortBinDir, readOrtVersion, type ProviderMarker } from './provider-install-state';

export type GpuInstallSource =
  | { readonly kind: 'registry' } // cached tarball in cacheDir, else `npm pack` (unless offline)
  | { readonly kind: 'tarball'; readonly path: string }
  | { readonly kind: 'directory'; readonly path: string }; // the three .so files, already extracted

export interface GpuInstallOptions {
  readonly source: GpuInstallSource;
  /** Where `npm pack` writes the tarball and extraction is staged. */
  readonly cacheDir: string;
  /** Never touch the network: a registry source needs the tarball already in cacheDir. */
  readonly offline: boolean;
  /** onnxruntime-node's package folder (its package.json gives the version; libraries go in its bin dir). */
  readonly ortPackageDir: string;
  /** The package to install; default GPU_PROVIDER_PACKAGE (tests pass fakes). */
  readonly spec?: GpuProviderPackageSpec;
  readonly log?: (line: string) => void;
  /** The npm executable; default "npm". */
  readonly npmCommand?: string;
}

export interface GpuInstallResult {
  readonly binDir: string;
  readonly tarballPath?: string;
  readonly marker: ProviderMarker;
}

export class GpuInstallError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'GpuInstallError';
  }
}

export async function installGpuProviders(options: GpuInstallOptions): Promise<GpuInstallResult> {
  const spec = options.spec ?? GPU_PROVIDER_PACKAGE;
  const log = options.log ?? (() => undefined);
  const ortVersion = readOrtVersion(options.ortPackageDir);
  if (ortVersion !== spec.ortVersion) {
    throw new GpuInstallError([
      `onnxruntime-node is ${ortVersion}, but ${spec.name}@${spec.version} holds provider libraries from ONNX Runtime ${spec.ortVersion}; ` +
        `the core/provider bridge is unversioned, so mixing them is refused (pin onnxruntime-node to ${spec.ortVersion})`,
    ]);
  }
  const binDir = ortBinDir(options.ortPackageDir);
  if (!existsSync(join(binDir, 'libonnxruntime.so.1'))) {
    throw new GpuInstallError([`libonnxruntime.so.1 not found in ${binDir}; is onnxruntime-node installed for ${process.platform}-${process.arch}?`]);
  }
  mkdirSync(options.cacheDir, { recursive: true });
  const staging = mkdtempSync(join(options.cacheDir, 'staging-'));
  try {
    let libDir: string;
    let tarballPath: string | undefined;
    if (options.source.kind === 'directory') {
      libDir = options.source.path;
    } else {
      tarballPath = options.source.kind === 'tarball' ? options.source.path : await fetchTarball(spec, options, log);
      await verifyIntegrity(tarballPath, spec);
      log(`tarball ${tarballPath}: ${spec.integrity.slice(0, 20)}... integrity verified`);
      await extractLibraries(tarballPath, spec, staging);
      libDir = join(staging, spec.libraryDir);
    }
    const files = await verifyLibraries(libDir, spec);
    for (const file of GPU_PROVIDER_FILES) {
      const temp = join(binDir, `.${file}.installing-${process.pid}`);
      copyFileSync(join(libDir, file), temp);
      chmodSync(temp, 0o755);
      renameSync(temp, join(binDir, file));
      log(`placed ${file} (sha256 ${files[file]}) in ${binDir}`);
    }
    const marker: ProviderMarker = { ortVersion: spec.ortVersion, sourcePackage: `${spec.name}@${spec.version}`, files, installedAt: new Date().toISOString() };
    const markerTemp = join(binDir, `.${PROVIDER_MARKER_FILE}.${process.pid}`);
    writeFileSync(markerTemp, `${JSON.stringify(marker, null, 2)}\n`);
    renameSync(markerTemp, join(binDir, PROVIDER_MARKER_FILE));
    return { binDir, tarballPath, marker };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function fetchTarball(spec: GpuProviderPackageSpec, options: GpuInstallOptions, log: (line: string) => void): Promise<string> {
  const cached = join(options.cacheDir, tarballFileName(spec));
  if (existsSync(cached)) {
    log(`using cached tarball ${cached}`);
    return cached;
  }
  if (options.offline) {
    throw new GpuInstallError([`offline: no cached tarball at ${cached}; run npm run install-gpu once with network access, or pass --tarball <file>`]);
  }
  log(`fetching ${spec.name}@${spec.version} with npm pack into ${options.cacheDir} (about 179 MB)`);
  const { code, output } = await run(options.npmCommand ?? 'npm', ['pack', `${spec.name}@${spec.version}`, '--pack-destination', options.cacheDir, '--silent'], options.cacheDir);
  if (code !== 0 || !existsSync(cached)) {
    throw new GpuInstallError([`npm pack ${spec.name}@${spec.version} failed (exit ${code}); expected ${cached}. npm said: ${output.trim().slice(-800)}`]);
  }
  return cached;
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: -1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function fileDigest(path: string, algorithm: 'sha256' | 'sha512', encoding: 'hex' | 'base64'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

async function verifyIntegrity(tarballPath: string, spec: GpuProviderPackageSpec): Promise<void> {
  if (!existsSync(tarballPath)) throw new GpuInstallError([`tarball ${tarballPath} does not exist`]);
  const [algorithm, expected] = spec.integrity.split('-', 2) as ['sha512', string];
  const actual = await fileDigest(tarballPath, algorithm, 'base64');
  if (actual !== expected) {
    throw new GpuInstallError([`tarball ${tarballPath}: ${algorithm} integrity expected ${spec.integrity}; got ${algorithm}-${actual} (not ${spec.name}@${spec.version}, or corrupted)`]);
  }
}

async function extractLibraries(tarballPath: string, spec: GpuProviderPackageSpec, staging: string): Promise<void> {
  const wanted = new Set<string>([...GPU_PROVIDER_FILES.map((f) => `${spec.libraryDir}/${f}`), 'package/package.json']);
  try {
    await tar.x({ file: tarballPath, cwd: staging, filter: (path) => wanted.has(path), strict: true });
  } catch (error) {
    throw new GpuInstallError([`tarball ${tarballPath} could not be read as a gzipped tar: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const pkgPath = join(staging, 'package', 'package.json');
  if (!existsSync(pkgPath)) throw new GpuInstallError([`tarball ${tarballPath} has no package/package.json; expected ${spec.name}@${spec.version}`]);
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: string; version?: string };
  if (pkg.name !== spec.name || pkg.version !== spec.version) {
    throw new GpuInstallError([`tarball ${tarballPath} holds ${pkg.name}@${pkg.version}; expected ${spec.name}@${spec.version}`]);
  }
}

async function verifyLibraries(libDir: string, spec: GpuProviderPackageSpec): Promise<Record<string, string>> {
  const problems: string[] = [];
  const files: Record<string, string> = {};
  for (const file of GPU_PROVIDER_FILES) {
    const path = join(libDir, file);
    if (!existsSync(path)) {
      problems.push(`${file}: missing from ${libDir}`);
      continue;
    }
    const actual = await fileDigest(path, 'sha256', 'hex');
    if (actual !== spec.sha256[file]) problems.push(`${file}: sha256 expected ${spec.sha256[file]}; got ${actual}`);
    files[file] = actual;
  }
  if (problems.length > 0) throw new GpuInstallError(problems);
  return files;
}
