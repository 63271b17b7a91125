/**
 * The full default shape (V = 1,000,001, k = 9, DNN 400-400-400): the model users deploy.
 * Takes a few seconds (10 M weights generated, a 42 MB model loaded into ORT).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeepFmWeights } from '../../../../src/model/deepfm/deepfm-weights';
import { buildDeepFmOnnx } from '../../../../src/model/deepfm/build-deepfm-onnx';
import { readOnnxModelInfo } from '../../../../src/model/onnx/read-onnx-model-info';
import { ID_RANGE_METADATA_PREFIX } from '../../../../src/model/onnx/infer-id-ranges';
import { randomDeepFmBatch } from '../../../helpers/model-fixtures';
import { createCpuSession, maxRelativeError, referenceProbabilities, runDeepFmInOrt } from './ort-deepfm-helper';

const weights = createDeepFmWeights();
const bytes = buildDeepFmOnnx(weights);

test('default DeepFM: about 40 MB, ONNX Runtime matches the reference within 1e-5', async () => {
  assert.ok(bytes.length > 40e6 && bytes.length < 43e6, `size ${bytes.length}`);
  const session = await createCpuSession(bytes);
  for (const [batchSize, seed] of [[5, 11], [128, 12]] as const) {
    const batch = randomDeepFmBatch(weights, batchSize, seed);
    const out = await runDeepFmInOrt(session, batch);
    assert.deepEqual(out.dims, [batchSize, 1]);
    const err = maxRelativeError(out.data as Float32Array, referenceProbabilities(weights, batch));
    assert.ok(err < 1e-5, `batch ${batchSize}: max relative error ${err}`);
  }
  await session.release();
});

test('default DeepFM: readOnnxModelInfo infers C1..C26 in [0, 1000000]', () => {
  const info = readOnnxModelInfo(bytes);
  assert.equal(info.idRanges.size, 26);
  for (let i = 1; i <= 26; i++) assert.deepEqual(info.idRanges.get(`C${i}`), { min: 0n, max: 1000000n }, `C${i}`);
  assert.equal(info.idRanges.has('dense_input'), false);
  assert.equal(info.metadata['rec_serving.deepfm.vocabulary_size'], '1000001');
  assert.equal(info.metadata['rec_serving.deepfm.hidden_units'], '400,400,400');
});

test('default DeepFM: an explicit id_range metadata entry overrides the inferred range', () => {
  const overridden = buildDeepFmOnnx(weights, { metadata: { [`${ID_RANGE_METADATA_PREFIX}C7`]: '1:500000' } });
  const info = readOnnxModelInfo(overridden);
  assert.deepEqual(info.idRanges.get('C7'), { min: 1n, max: 500000n });
  assert.deepEqual(info.idRanges.get('C8'), { min: 0n, max: 1000000n });
});
