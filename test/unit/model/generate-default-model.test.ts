import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultModelPath, generateDefaultModel } from '../../../src/model/generate-default-model';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { readOnnxModelInfo } from '../../../src/model/onnx/read-onnx-model-info';

// Compiled to dist/test/unit/model/; the CLI is dist/src/model/generate-default-model.js.
const CLI = join(__dirname, '..', '..', '..', 'src', 'model', 'generate-default-model.js');
const SMALL = ['--vocabulary_size', '1000', '--hidden_units', '8,4', '--seed', '3'];

function cli(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function inTempDir(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-model-'));
    try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('writes the requested model and prints one line with path, size and time', inTempDir((dir) => {
  const out = join(dir, 'sub', 'model.onnx');
  const r = cli(['--out', out, ...SMALL]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^generate-default-model: wrote .*model\.onnx \(\d+\.\d MB, DeepFM V=1000 k=9 hidden=8,4 seed=3, \d+\.\d\d s\)\n$/);
  const info = readOnnxModelInfo(out);
  assert.equal(info.metadata['rec_serving.deepfm.vocabulary_size'], '1000');
  assert.equal(info.metadata['rec_serving.deepfm.hidden_units'], '8,4');
  assert.equal(info.metadata['rec_serving.deepfm.seed'], '3');
  assert.deepEqual(info.idRanges.get('C1'), { min: 0n, max: 999n });
}));

test('--if-absent keeps a valid model, writes a missing one and replaces a corrupt one', inTempDir((dir) => {
  const out = join(dir, 'model.onnx');
  const first = cli(['--out', out, '--if-absent', ...SMALL]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /wrote/);
  const before = readFileSync(out);
  const mtime = statSync(out).mtimeMs;

  const kept = cli(['--out', out, '--if-absent', '--seed', '99']);
  assert.equal(kept.status, 0, kept.stderr);
  assert.match(kept.stdout, /^generate-default-model: kept existing .*model\.onnx/);
  assert.deepEqual(readFileSync(out), before);
  assert.equal(statSync(out).mtimeMs, mtime);

  writeFileSync(out, 'not a model');
  const replaced = cli(['--out', out, '--if-absent', ...SMALL]);
  assert.equal(replaced.status, 0, replaced.stderr);
  assert.match(replaced.stdout, /wrote .* \(replaced: .* is not a valid ONNX model/);
  assert.deepEqual(readFileSync(out), before, 'same options, same bytes');
}));

test('bad arguments exit with status 2 and a usage line', () => {
  for (const args of [['--bogus'], ['--seed', 'abc'], ['--hidden_units', '400,x'], ['--vocabulary_size', '0']]) {
    const r = cli(['--out', join(tmpdir(), 'never-written.onnx'), ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /generate-default-model: /);
  }
  assert.equal(existsSync(join(tmpdir(), 'never-written.onnx')), false);
});

// dist/test/unit/model/ -> the repository root, found without the code under test.
const REPO_ROOT_FROM_TEST = resolve(__dirname, '..', '..', '..', '..');
const DEFAULT_MODEL = join(REPO_ROOT_FROM_TEST, 'serving_server', 'model.onnx');

test('the default output is serving_server/model.onnx under the repository root', () => {
  assert.equal(defaultModelPath(), DEFAULT_MODEL);
  assert.equal(REPO_ROOT, REPO_ROOT_FROM_TEST);
});

test('without --out the CLI targets serving_server/model.onnx (kept when valid)', { skip: existsSync(DEFAULT_MODEL) ? false : `${DEFAULT_MODEL} is absent (run npm install); skipped` }, () => {
  const cwd = tmpdir(); // not the repository: the default must not depend on the working directory
  const r = cli(['--if-absent'], cwd);
  assert.equal(r.status, 0, r.stderr);
  const shown = /^generate-default-model: kept existing (.+) \(/.exec(r.stdout);
  assert.ok(shown, r.stdout);
  assert.equal(resolve(cwd, shown[1]!), DEFAULT_MODEL);
});

test('generateDefaultModel is deterministic and reports what it did', inTempDir((dir) => {
  const a = generateDefaultModel({ outPath: join(dir, 'a.onnx'), vocabularySize: 50, hiddenUnits: [4] });
  const b = generateDefaultModel({ outPath: join(dir, 'b.onnx'), vocabularySize: 50, hiddenUnits: [4] });
  assert.equal(a.action, 'written');
  assert.equal(a.sizeBytes, statSync(a.outPath).size);
  assert.deepEqual(readFileSync(a.outPath), readFileSync(b.outPath));
  assert.equal(generateDefaultModel({ outPath: a.outPath, ifAbsent: true }).action, 'kept');
}));
