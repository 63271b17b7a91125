/**
 * A model that cannot be served fails at startup with a message naming the file and the
 * problem (never on the first request), and rec-serve exits 1 (2 for bad flags).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { writeCorruptModel, writeModelWithInputs } from '../helpers/model-fixtures';
import { makeTempDir, makeTinyDeepFmDir, startTestServer } from '../helpers/test-server';

const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');

function runServe(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVE, ...args], { timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr });
    });
  });
}

describe('startup errors', () => {
  it('names a missing model directory', async () => {
    await assert.rejects(startTestServer({ modelDir: '/nonexistent/model_dir' }), /model directory \/nonexistent\/model_dir does not exist/);
  });

  it('names a directory without a model', async () => {
    const dir = makeTempDir('empty');
    await assert.rejects(startTestServer({ modelDir: dir }), /no model in .*: expected model.onnx/);
  });

  it('names a corrupt model file', async () => {
    for (const kind of ['garbage', 'truncated', 'empty'] as const) {
      const dir = makeTempDir(`corrupt-${kind}`);
      writeCorruptModel(dir, kind);
      await assert.rejects(startTestServer({ modelDir: dir }), /model\.onnx is not a valid ONNX model/);
    }
  });

  it('lists every mismatch between the Paddle config and the ONNX graph', async () => {
    const dir = makeTempDir('mismatch');
    writeModelWithInputs(dir, [
      { name: 'C1', dtype: 'float32', dims: [-1, 1] },
      { name: 'dense_input', dtype: 'float32', dims: [-1, 12] },
      { name: 'extra', dtype: 'float32', dims: [-1, 1] },
    ], { outputName: 'prob' });
    fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), path.join(dir, 'serving_server_conf.prototxt'));
    await assert.rejects(startTestServer({ modelDir: dir }), (error: Error) => {
      assert.match(error.message, /serving_server_conf\.prototxt does not match .*model\.onnx/);
      assert.match(error.message, /input "C1" is int64 in the config but float32 in the model/);
      assert.match(error.message, /input "C2" is not in the model/);
      assert.match(error.message, /input "dense_input" has shape \[13\] in the config but \[12\]/);
      assert.match(error.message, /output "sigmoid_0.tmp_0" is not in the model \(model outputs: prob\)/);
      assert.match(error.message, /the model needs inputs the config does not feed: extra/);
      return true;
    });
  });

  it('serves a model without a Paddle config, taking the signature from the graph', async () => {
    const dir = makeTempDir('noconfig');
    writeModelWithInputs(dir, [{ name: 'x', dtype: 'float32', dims: [-1, 3] }], { outputName: 'y' });
    const t = await startTestServer({ modelDir: dir });
    try {
      const result = await t.client.predict({ x: { dtype: 'float32', dims: [2, 3], data: new Float32Array(6).fill(1) } });
      assert.deepEqual(result.outputs.y.dims, [2, 1]);
    } finally {
      await t.stop();
    }
  });

  it('rec-serve exits 1 with the reason for a corrupt model and 2 for bad flags', async () => {
    const dir = makeTinyDeepFmDir().dir;
    writeCorruptModel(dir, 'garbage');
    const corrupt = await runServe(['--model', dir, '--port', '0']);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /cannot serve: .*model\.onnx is not a valid ONNX model/);
    const flags = await runServe(['--model', dir, '--precision', 'int8', '--thread', '0']);
    assert.equal(flags.code, 2);
    assert.match(flags.stderr, /--precision int8 is not supported/);
    assert.match(flags.stderr, /--thread must be a positive integer; got 0/);
  });
});
