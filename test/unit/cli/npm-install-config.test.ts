/**
 * `npm install` leaves the tracked package-lock.json as it is (the lock matches package.json,
 * `bin` included), no npm command warns about the project's config, and onnxruntime-node's GPU
 * download is skipped through npm's own allowScripts policy (plus ONNXRUNTIME_NODE_INSTALL in CI).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';

const npmAvailable = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
const SKIP_NPM = npmAvailable ? false : 'npm is not on PATH: skipping the npm checks';

interface Pkg { bin?: unknown; dependencies?: unknown; devDependencies?: unknown; allowScripts?: Record<string, boolean> }
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Pkg & { packages: Record<string, Pkg> };

it('package-lock.json records package.json\'s bin and dependencies', () => {
  const pkg = readJson(path.join(REPO_ROOT, 'package.json'));
  const root = readJson(path.join(REPO_ROOT, 'package-lock.json')).packages[''];
  assert.deepEqual(root.bin, pkg.bin);
  assert.deepEqual(root.dependencies, pkg.dependencies);
  assert.deepEqual(root.devDependencies, pkg.devDependencies);
});

it('onnxruntime-node\'s GPU download is denied by allowScripts, and CI sets ONNXRUNTIME_NODE_INSTALL=skip', () => {
  const pkg = readJson(path.join(REPO_ROOT, 'package.json'));
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.match(fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8'), /^export ONNXRUNTIME_NODE_INSTALL=skip$/m);
});

it('npm commands in the project print no config warning', { skip: SKIP_NPM }, () => {
  const run = spawnSync('npm', ['config', 'get', 'registry'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /Unknown (project|user|env) config/);
});

it('npm install --package-lock-only leaves package-lock.json unchanged', { skip: SKIP_NPM }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-serving-lock-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
    const run = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN/.test(run.stderr)) {
      t.skip(`the npm cache lacks the registry metadata and the registry is unreachable: ${run.stderr.split('\n')[0]}`);
      return;
    }
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'), fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
