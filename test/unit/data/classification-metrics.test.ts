import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, logLoss } from '../../../src/data/classification-metrics';

test('auc: hand-computed cases', () => {
  // Pairs (pos, neg): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, *) ok twice -> 3/4.
  assert.equal(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  assert.equal(auc([0, 1], [0.2, 0.9]), 1);
  assert.equal(auc([1, 0], [0.2, 0.9]), 0);
});

test('auc: ties between a positive and a negative count one half', () => {
  assert.equal(auc([0, 1], [0.5, 0.5]), 0.5);
  // (0.2+, 0.2-) tie 0.5, (0.2+, 0.6-) 0, (0.9+, 0.2-) 1, (0.9+, 0.6-) 1 -> 2.5 / 4.
  assert.equal(auc([0, 1, 0, 1], [0.2, 0.2, 0.6, 0.9]), 0.625);
});

test('auc: NaN without both classes; errors on bad input', () => {
  assert.ok(Number.isNaN(auc([1, 1], [0.1, 0.2])));
  assert.throws(() => auc([1], [0.1, 0.2]), /same length; got 1 and 2/);
  assert.throws(() => auc([], []), /at least 1 label; got 0/);
  assert.throws(() => auc([0, 1], [0.1, NaN]), /row 1: label and score must be finite/);
});

test('logLoss: hand-computed cases and clipping', () => {
  const expected = -(Math.log(0.8) + Math.log(0.7)) / 2; // 0.2899...
  assert.ok(Math.abs(logLoss([1, 0], [0.8, 0.3]) - expected) < 1e-12);
  assert.ok(Math.abs(logLoss([1], [0]) - -Math.log(1e-7)) < 1e-9); // 16.118..., not Infinity
  assert.ok(Math.abs(logLoss([0], [1]) - -Math.log(1e-7)) < 1e-6);
  assert.ok(Math.abs(logLoss([1], [0], 1e-3) - -Math.log(1e-3)) < 1e-12);
  assert.throws(() => logLoss([1], [0.5], 0), /epsilon must be in \(0, 0.5\); got 0/);
});
