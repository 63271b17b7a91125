/**
 * hasStaticRowShapes: true only when every request validated against the signature has the same
 * feed names, dtypes and row shapes (no dynamic dimension besides the batch).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasStaticRowShapes, type ModelSignature } from '../../../src/core/model-signature';

const signature = (denseShape: number[]): ModelSignature => ({
  inputs: [
    { name: 'C1', alias: 'slot_1', dtype: 'int64', shape: [1] },
    { name: 'dense', alias: 'dense', dtype: 'float32', shape: denseShape },
  ],
  outputs: [{ name: 'out', alias: 'prob', dtype: 'float32', shape: [-1] }],
});

describe('hasStaticRowShapes', () => {
  it('is true when no input has a dynamic dimension (outputs do not matter)', () => {
    assert.equal(hasStaticRowShapes(signature([13])), true);
    assert.equal(hasStaticRowShapes(signature([])), true);
  });

  it('is false when an input has a dynamic dimension: requests may differ in row shape', () => {
    assert.equal(hasStaticRowShapes(signature([-1])), false);
    assert.equal(hasStaticRowShapes(signature([2, -1])), false);
  });
});
