import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeepFmWeights, type DeepFmWeights } from '../../../../src/model/deepfm/deepfm-weights';
import { buildDeepFmOnnx } from '../../../../src/model/deepfm/build-deepfm-onnx';
import { runDeepFmReference } from '../../../helpers/deepfm-reference';
import { readOnnxModelInfo } from '../../../../src/model/onnx/read-onnx-model-info';
import { TINY_DEEPFM_OPTIONS, randomDeepFmBatch, writeTinyDeepFm } from '../../../helpers/model-fixtures';
import { createCpuSession, maxRelativeError, referenceProbabilities, runDeepFmInOrt } from './ort-deepfm-helper';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const SPARSE_NAMES = Array.from({ length: 26 }, (_, i) => `C${i + 1}`);

test('tiny DeepFM: ONNX Runtime matches the reference within 1e-5 relative error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepfm-'));
  try {
    const { path, weights } = writeTinyDeepFm(dir);
    const session = await createCpuSession(path);
    for (const [batchSize, seed] of [[1, 1], [5, 2], [64, 3]] as const) {
      const batch = randomDeepFmBatch(weights, batchSize, seed);
      const out = await runDeepFmInOrt(session, batch);
      assert.deepEqual(out.dims, [batchSize, 1]);
      assert.equal(out.type, 'float32');
      const expected = referenceProbabilities(weights, batch);
      const err = maxRelativeError(out.data as Float32Array, expected);
      assert.ok(err < 1e-5, `batch ${batchSize}: max relative error ${err}`);
    }
    await session.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the comparison is sensitive: a slightly different weight breaks the 1e-5 bound', async () => {
  const weights = createDeepFmWeights(TINY_DEEPFM_OPTIONS);
  const session = await createCpuSession(buildDeepFmOnnx(weights));
  const batch = randomDeepFmBatch(weights, 32, 5);
  const actual = (await runDeepFmInOrt(session, batch)).data as Float32Array;
  const perturbed: DeepFmWeights = {
    ...weights,
    layers: weights.layers.map((l, i) => (i === weights.layers.length - 1 ? { ...l, bias: Float32Array.of(l.bias[0]! + 0.01) } : l)),
  };
  assert.ok(maxRelativeError(actual, referenceProbabilities(perturbed, batch)) > 1e-3);
  // And each term matters: zeroing the dense input changes the prediction.
  const noDense = { ...batch, dense: new Float32Array(batch.dense.length) };
  assert.ok(maxRelativeError(actual, referenceProbabilities(weights, noDense)) > 1e-3);
  await session.release();
});

test('predictions vary across rows (the model is not constant)', () => {
  const weights = createDeepFmWeights(TINY_DEEPFM_OPTIONS);
  const p = runDeepFmReference(weights, randomDeepFmBatch(weights, 100, 9)).probabilities;
  const spread = Math.max(...p) - Math.min(...p);
  assert.ok(spread > 0.01, `spread ${spread}`);
  assert.ok(p.every((v) => v > 0 && v < 1));
});

test('inputs, outputs, dtypes and shapes are the Paddle DeepFM signature (as ORT sees them)', async () => {
  const weights = createDeepFmWeights(TINY_DEEPFM_OPTIONS);
  const session = await createCpuSession(buildDeepFmOnnx(weights));
  assert.deepEqual(session.inputNames, [...SPARSE_NAMES, 'dense_input']);
  assert.deepEqual(session.outputNames, ['sigmoid_0.tmp_0']);
  const shapes = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m.isTensor ? [m.type, m.shape] : null]));
  assert.deepEqual(shapes.C1, ['int64', ['batch', 1]]);
  assert.deepEqual(shapes.C26, ['int64', ['batch', 1]]);
  assert.deepEqual(shapes.dense_input, ['float32', ['batch', 13]]);
  const out = session.outputMetadata[0]!;
  assert.ok(out.isTensor);
  assert.equal(out.type, 'float32');
  assert.deepEqual(out.shape, ['batch', 1]);
  await session.release();
});

test('model info: metadata, opset, producer and id ranges', () => {
  const weights = createDeepFmWeights(TINY_DEEPFM_OPTIONS);
  const info = readOnnxModelInfo(buildDeepFmOnnx(weights, { metadata: { 'extra.key': 'v' } }));
  assert.equal(info.producerName, 'rec-serving');
  assert.ok(info.opsetVersion >= 13);
  assert.equal(info.metadata['rec_serving.architecture'], 'deepfm');
  assert.equal(info.metadata['rec_serving.deepfm.vocabulary_size'], '1000');
  assert.equal(info.metadata['rec_serving.deepfm.hidden_units'], '16,8');
  assert.equal(info.metadata['rec_serving.deepfm.seed'], '7');
  assert.equal(info.metadata['extra.key'], 'v');
  assert.deepEqual(info.inputs.map((i) => [i.name, i.dtype, i.dims]), [
    ...SPARSE_NAMES.map((n) => [n, 'int64', [-1, 1]]), ['dense_input', 'float32', [-1, 13]],
  ]);
  assert.deepEqual(info.outputs, [{ name: 'sigmoid_0.tmp_0', dtype: 'float32', dims: [-1, 1] }]);
  assert.deepEqual([...info.idRanges.keys()], SPARSE_NAMES);
  for (const range of info.idRanges.values()) assert.deepEqual(range, { min: 0n, max: 999n });
});

test('same seed gives byte-identical models; another seed does not', () => {
  const a = sha256(buildDeepFmOnnx(createDeepFmWeights(TINY_DEEPFM_OPTIONS)));
  const b = sha256(buildDeepFmOnnx(createDeepFmWeights(TINY_DEEPFM_OPTIONS)));
  const c = sha256(buildDeepFmOnnx(createDeepFmWeights({ ...TINY_DEEPFM_OPTIONS, seed: 8 })));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('other shapes build and match the reference (no hidden layer, no dense features)', async () => {
  for (const opts of [{ hiddenUnits: [] }, { denseFeatures: 0, sparseFields: 3 }, { embeddingSize: 1, hiddenUnits: [5] }]) {
    const weights = createDeepFmWeights({ ...TINY_DEEPFM_OPTIONS, ...opts });
    const session = await createCpuSession(buildDeepFmOnnx(weights));
    const batch = randomDeepFmBatch(weights, 7);
    const out = weights.options.denseFeatures > 0
      ? await runDeepFmInOrt(session, batch)
      : (await session.run(Object.fromEntries(batch.sparse.map((ids, f) => [`C${f + 1}`, new ort.Tensor('int64', ids, [7, 1])]))))['sigmoid_0.tmp_0']!;
    if (weights.options.denseFeatures === 0) assert.deepEqual(session.inputNames, ['C1', 'C2', 'C3']);
    const err = maxRelativeError(out.data as Float32Array, referenceProbabilities(weights, batch));
    assert.ok(err < 1e-5, `${JSON.stringify(opts)}: max relative error ${err}`);
    await session.release();
  }
});
