/**
 * SignatureIndex.rowShapeClass: set only when every request it validates has the same feed names,
 * dtypes and row shapes (no free dimension besides the batch).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelSignature } from '../../../src/core/model-signature';
import { SignatureIndex } from '../../../src/core/validate-request';

const signature = (denseShape: number[]): ModelSignature => ({
  inputs: [
    { name: 'C1', alias: 'slot_1', dtype: 'int64', shape: [1] },
    { name: 'dense', alias: 'dense', dtype: 'float32', shape: denseShape },
  ],
  outputs: [{ name: 'out', alias: 'prob', dtype: 'float32', shape: [1] }],
});

describe('SignatureIndex.rowShapeClass', () => {
  it('is the index itself when no input has a free dimension besides the batch', () => {
    const index = new SignatureIndex(signature([13]));
    assert.equal(index.rowShapeClass, index);
    assert.notEqual(new SignatureIndex(signature([13])).rowShapeClass, index.rowShapeClass, 'one class per index');
  });

  it('is absent when an input has a free dimension: requests may differ in row shape', () => {
    assert.equal(new SignatureIndex(signature([-1])).rowShapeClass, undefined);
    assert.equal(new SignatureIndex(signature([2, -1])).rowShapeClass, undefined);
  });
});
