import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeepFmWeights } from '../../../../src/model/deepfm/deepfm-weights';
import { DEEPFM_DEFAULTS, resolveDeepFmOptions } from '../../../../src/model/deepfm/deepfm-options';

const TINY = { vocabularySize: 5000, embeddingSize: 4, hiddenUnits: [16, 8], seed: 3 };

function std(a: Float32Array, from = 0): number {
  let s2 = 0;
  for (let i = from; i < a.length; i++) s2 += a[i]! * a[i]!;
  return Math.sqrt(s2 / (a.length - from));
}

test('parameters have the DeepFM shapes', () => {
  const w = createDeepFmWeights(TINY);
  assert.equal(w.firstOrderTable.length, 5000);
  assert.equal(w.embeddingTable.length, 5000 * 4);
  assert.equal(w.denseFirstOrder.length, 13);
  assert.equal(w.denseEmbedding.length, 13 * 4);
  assert.deepEqual(w.layers.map((l) => [l.inFeatures, l.outFeatures]), [[39 * 4, 16], [16, 8], [8, 1]]);
  for (const l of w.layers) {
    assert.equal(l.weight.length, l.inFeatures * l.outFeatures);
    assert.equal(l.bias.length, l.outFeatures);
    assert.ok(l.bias.every((b) => b === 0), 'biases are zero');
  }
});

test('row 0 of both tables is zeros (padding) and row 1 is not', () => {
  const w = createDeepFmWeights(TINY);
  assert.equal(w.firstOrderTable[0], 0);
  assert.deepEqual([...w.embeddingTable.subarray(0, 4)], [0, 0, 0, 0]);
  assert.notEqual(w.firstOrderTable[1], 0);
  assert.ok(w.embeddingTable.subarray(4, 8).some((v) => v !== 0));
});

test('FM parameters are truncated normal with std 0.1/sqrt(k); Linear weights have std 1/sqrt(fan_in)', () => {
  const w = createDeepFmWeights({ ...TINY, vocabularySize: 50_000 });
  const fmStd = 0.1 / Math.sqrt(4);
  const truncatedStd = fmStd * Math.sqrt(0.7737);
  for (const [name, a, from] of [['first order', w.firstOrderTable, 1], ['embedding', w.embeddingTable, 4]] as const) {
    assert.ok(Math.abs(std(a, from) / truncatedStd - 1) < 0.02, `${name} std ${std(a, from)} vs ${truncatedStd}`);
    assert.ok(a.every((v) => Math.abs(v) <= 2 * fmStd + 1e-7), `${name} values within 2 std`);
  }
  assert.ok(w.denseEmbedding.every((v) => Math.abs(v) <= 2 * fmStd + 1e-7));
  for (const l of w.layers) {
    const expected = 1 / Math.sqrt(l.inFeatures);
    assert.ok(Math.abs(std(l.weight) / expected - 1) < 0.3, `layer ${l.inFeatures}x${l.outFeatures} std ${std(l.weight)} vs ${expected}`);
  }
});

test('same seed gives identical weights; another seed differs; the DNN does not depend on V', () => {
  const a = createDeepFmWeights(TINY);
  const b = createDeepFmWeights(TINY);
  const c = createDeepFmWeights({ ...TINY, seed: 4 });
  const d = createDeepFmWeights({ ...TINY, vocabularySize: 77 });
  assert.deepEqual(a.embeddingTable, b.embeddingTable);
  assert.deepEqual(a.layers[0]!.weight, b.layers[0]!.weight);
  assert.notDeepEqual(a.embeddingTable, c.embeddingTable);
  assert.notDeepEqual(a.layers[0]!.weight, c.layers[0]!.weight);
  assert.deepEqual(a.layers[0]!.weight, d.layers[0]!.weight);
  assert.deepEqual(a.embeddingTable.subarray(0, 77 * 4), d.embeddingTable);
});

test('the default shape has 10 M table floats and a 351-400-400-400-1 DNN', () => {
  const w = createDeepFmWeights();
  assert.equal(w.firstOrderTable.length + w.embeddingTable.length, 10_000_010);
  assert.deepEqual(w.layers.map((l) => l.outFeatures), [400, 400, 400, 1]);
  assert.equal(w.layers[0]!.inFeatures, 351);
});

test('defaults are the deployed DeepFM', () => {
  assert.deepEqual({ ...resolveDeepFmOptions(), hiddenUnits: [...resolveDeepFmOptions().hiddenUnits] }, {
    vocabularySize: 1000001, embeddingSize: 9, sparseFields: 26, denseFeatures: 13, hiddenUnits: [400, 400, 400], seed: DEEPFM_DEFAULTS.seed,
  });
  assert.ok(Object.isFrozen(resolveDeepFmOptions()));
});

test('invalid options are all reported at once', () => {
  assert.throws(
    () => resolveDeepFmOptions({ vocabularySize: 0, embeddingSize: 2.5, hiddenUnits: [400, -1], seed: Number.NaN }),
    (err: Error) => err instanceof RangeError
      && /vocabularySize must be a positive integer; got 0/.test(err.message)
      && /embeddingSize must be a positive integer; got 2.5/.test(err.message)
      && /hiddenUnits must be positive integers; got \[400,-1\]/.test(err.message)
      && /seed must be an integer; got NaN/.test(err.message),
  );
});
