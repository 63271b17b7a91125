/**
 * The GPU install's refusals and its happy path, on small fake tarballs made here (never the
 * 179 MB download): version mismatch, tarball integrity, package identity, per-library sha256,
 * missing files, offline without a cache. A refused install leaves the target folder unchanged.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tar from 'tar';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { GPU_PROVIDER_PACKAGE, type GpuProviderPackageSpec } from '../../../src/engine/providers/gpu-provider-package';
import { GpuInstallError, installGpuProviders } from '../../../src/engine/providers/install-providers';
import { GPU_PROVIDER_FILES, PROVIDER_MARKER_FILE, ortBinDir, readProviderInstallState } from '../../../src/engine/providers/provider-install-state';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const sha512Integrity = (path: string) => `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rec-serving-gpu-${prefix}-`));
}

/** A fake onnxruntime-node package folder with libonnxruntime.so.1 in its bin dir. */
function fakeOrtPackage(version: string): string {
  const dir = tempDir('ort');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version }));
  mkdirSync(ortBinDir(dir), { recursive: true });
  writeFileSync(join(ortBinDir(dir), 'libonnxruntime.so.1'), 'core');
  return dir;
}

interface FakeTarball {
  readonly path: string;
  readonly spec: GpuProviderPackageSpec;
}

/** A tarball shaped like the real package, and a spec whose checksums match it. */
async function fakeTarball(opts: { version?: string; omit?: string; name?: string } = {}): Promise<FakeTarball> {
  const root = tempDir('pkg');
  const libDir = join(root, 'package', 'Plugins', 'Linux', 'x64');
  mkdirSync(libDir, { recursive: true });
  writeFileSync(join(root, 'package', 'package.json'), JSON.stringify({ name: opts.name ?? GPU_PROVIDER_PACKAGE.name, version: opts.version ?? GPU_PROVIDER_PACKAGE.version }));
  writeFileSync(join(root, 'package', 'README.md'), 'not extracted');
  const sums: Record<string, string> = {};
  for (const file of GPU_PROVIDER_FILES) {
    const content = `fake ${file}`;
    sums[file] = sha256(content);
    if (file !== opts.omit) writeFileSync(join(libDir, file), content);
  }
  const path = join(tempDir('tgz'), 'fake.tgz');
  await tar.c({ gzip: true, file: path, cwd: root }, ['package']);
  const spec: GpuProviderPackageSpec = { ...GPU_PROVIDER_PACKAGE, integrity: sha512Integrity(path), sha256: sums as GpuProviderPackageSpec['sha256'] };
  return { path, spec };
}

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GpuInstallError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

const untouched = (ortDir: string) => assert.deepEqual(readdirSync(ortBinDir(ortDir)), ['libonnxruntime.so.1']);

describe('installGpuProviders', () => {
  it('places the three verified libraries and a version marker', async () => {
    const { path, spec } = await fakeTarball();
    const ortDir = fakeOrtPackage(spec.ortVersion);
    const result = await installGpuProviders({ source: { kind: 'tarball', path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec });
    for (const file of GPU_PROVIDER_FILES) assert.equal(readFileSync(join(result.binDir, file), 'utf8'), `fake ${file}`);
    assert.ok(!existsSync(join(result.binDir, 'README.md')), 'only the libraries are extracted');
    const marker = JSON.parse(readFileSync(join(result.binDir, PROVIDER_MARKER_FILE), 'utf8'));
    assert.equal(marker.ortVersion, spec.ortVersion);
    assert.equal(marker.sourcePackage, `${spec.name}@${spec.version}`);
    const state = readProviderInstallState(ortDir);
    assert.deepEqual([...state.presentFiles].sort(), [...GPU_PROVIDER_FILES].sort());
    assert.equal(state.versionMismatch, undefined);
  });

  it('refuses when onnxruntime-node is another version than the providers were built from', async () => {
    const { path, spec } = await fakeTarball();
    const ortDir = fakeOrtPackage('1.30.0');
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec }),
      /onnxruntime-node is 1\.30\.0, but com\.github\.asus4\.onnxruntime\.linux-x64-gpu@0\.4\.9 holds provider libraries from ONNX Runtime 1\.29\.0.*refused/,
    );
    untouched(ortDir);
  });

  it('refuses a tarball whose sha512 integrity is not the registry\'s', async () => {
    const { path, spec } = await fakeTarball();
    const ortDir = fakeOrtPackage(spec.ortVersion);
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec: { ...spec, integrity: GPU_PROVIDER_PACKAGE.integrity } }),
      /fake\.tgz: sha512 integrity expected sha512-FopIh.*; got sha512-/,
    );
    untouched(ortDir);
  });

  it('refuses a library whose sha256 differs, naming file, expected and actual', async () => {
    const { path, spec } = await fakeTarball();
    const ortDir = fakeOrtPackage(spec.ortVersion);
    const wrong = { ...spec, sha256: { ...spec.sha256, 'libonnxruntime_providers_cuda.so': GPU_PROVIDER_PACKAGE.sha256['libonnxruntime_providers_cuda.so'] } };
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec: wrong }),
      new RegExp(`libonnxruntime_providers_cuda\\.so: sha256 expected 56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037; got ${sha256('fake libonnxruntime_providers_cuda.so')}`),
    );
    untouched(ortDir);
  });

  it('refuses a tarball of another package version, and one missing a library', async () => {
    const other = await fakeTarball({ version: '0.4.8' });
    const ortDir = fakeOrtPackage(other.spec.ortVersion);
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path: other.path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec: other.spec }),
      /holds com\.github\.asus4\.onnxruntime\.linux-x64-gpu@0\.4\.8; expected com\.github\.asus4\.onnxruntime\.linux-x64-gpu@0\.4\.9/,
    );
    const missing = await fakeTarball({ omit: 'libonnxruntime_providers_tensorrt.so' });
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path: missing.path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec: missing.spec }),
      /libonnxruntime_providers_tensorrt\.so: missing from /,
    );
    untouched(ortDir);
  });

  it('refuses a file that is not a gzipped tar', async () => {
    const dir = tempDir('garbage');
    const path = join(dir, 'garbage.tgz');
    writeFileSync(path, 'not a tarball');
    const ortDir = fakeOrtPackage(GPU_PROVIDER_PACKAGE.ortVersion);
    await refused(
      installGpuProviders({ source: { kind: 'tarball', path }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec: { ...GPU_PROVIDER_PACKAGE, integrity: sha512Integrity(path) } }),
      /garbage\.tgz could not be read as a gzipped tar/,
    );
    untouched(ortDir);
  });

  it('offline: refuses without a cached tarball, and installs from one in the cache', async () => {
    const { path, spec } = await fakeTarball();
    const ortDir = fakeOrtPackage(spec.ortVersion);
    const cacheDir = tempDir('cache');
    await refused(
      installGpuProviders({ source: { kind: 'registry' }, cacheDir, offline: true, ortPackageDir: ortDir, spec, npmCommand: '/nonexistent/npm' }),
      /offline: no cached tarball at .*com\.github\.asus4\.onnxruntime\.linux-x64-gpu-0\.4\.9\.tgz; run npm run install-gpu once with network access, or pass --tarball/,
    );
    writeFileSync(join(cacheDir, 'com.github.asus4.onnxruntime.linux-x64-gpu-0.4.9.tgz'), readFileSync(path));
    const lines: string[] = [];
    await installGpuProviders({ source: { kind: 'registry' }, cacheDir, offline: true, ortPackageDir: ortDir, spec, log: (l) => lines.push(l), npmCommand: '/nonexistent/npm' });
    assert.ok(lines.some((l) => /using cached tarball/.test(l)), lines.join('\n'));
    assert.equal(readProviderInstallState(ortDir).presentFiles.length, 3);
  });

  it('reports a failing npm pack with what npm said', async () => {
    const { spec } = await fakeTarball();
    const ortDir = fakeOrtPackage(spec.ortVersion);
    await refused(
      installGpuProviders({ source: { kind: 'registry' }, cacheDir: tempDir('cache'), offline: false, ortPackageDir: ortDir, spec, npmCommand: '/nonexistent/npm' }),
      /npm pack com\.github\.asus4\.onnxruntime\.linux-x64-gpu@0\.4\.9 failed \(exit -1\).*ENOENT/s,
    );
  });

  it('installs from already extracted files, still checking their sha256', async () => {
    const { path, spec } = await fakeTarball();
    const extracted = tempDir('extracted');
    await tar.x({ file: path, cwd: extracted });
    const libDir = join(extracted, 'package', 'Plugins', 'Linux', 'x64');
    const ortDir = fakeOrtPackage(spec.ortVersion);
    await installGpuProviders({ source: { kind: 'directory', path: libDir }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: ortDir, spec });
    assert.equal(readProviderInstallState(ortDir).presentFiles.length, 3);
    writeFileSync(join(libDir, 'libonnxruntime_providers_shared.so'), 'tampered');
    await refused(
      installGpuProviders({ source: { kind: 'directory', path: libDir }, cacheDir: tempDir('cache'), offline: true, ortPackageDir: fakeOrtPackage(spec.ortVersion), spec }),
      new RegExp(`libonnxruntime_providers_shared\\.so: sha256 expected ${spec.sha256['libonnxruntime_providers_shared.so']}; got ${sha256('tampered')}`),
    );
  });
});

describe('readProviderInstallState', () => {
  it('flags libraries installed for another ONNX Runtime version', () => {
    const ortDir = fakeOrtPackage('1.29.0');
    writeFileSync(join(ortBinDir(ortDir), PROVIDER_MARKER_FILE), JSON.stringify({ ortVersion: '1.28.1', sourcePackage: 'x', files: {}, installedAt: '' }));
    assert.match(readProviderInstallState(ortDir).versionMismatch ?? '', /installed for ONNX Runtime 1\.28\.1, but onnxruntime-node is 1\.29\.0.*not loaded/);
  });
});

describe('install-gpu CLI', () => {
  const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'install-gpu.js');
  const run = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr }));
    });

  it('exits 1 for a tarball that is not the real package, changing nothing', async () => {
    const { path } = await fakeTarball();
    const ortDir = fakeOrtPackage(GPU_PROVIDER_PACKAGE.ortVersion);
    const { code, stderr } = await run(['--tarball', path, '--ort_dir', ortDir, '--cache_dir', tempDir('cache')]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /install-gpu: refused:\ninstall-gpu: {3}tarball .*fake\.tgz: sha512 integrity expected sha512-FopIh/);
    untouched(ortDir);
  });

  it('exits 1 offline without a cache and 2 for contradictory flags', async () => {
    const ortDir = fakeOrtPackage(GPU_PROVIDER_PACKAGE.ortVersion);
    const offline = await run(['--offline', '--ort_dir', ortDir, '--cache_dir', tempDir('cache')]);
    assert.equal(offline.code, 1, offline.stderr);
    assert.match(offline.stderr, /offline: no cached tarball/);
    const both = await run(['--tarball', 'a.tgz', '--from_dir', 'b']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--tarball and --from_dir both name the source/);
  });
});
