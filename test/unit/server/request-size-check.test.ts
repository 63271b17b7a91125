/**
 * The start-up check that --max_body_size admits a full-size request of every served model.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelSignature } from '../../../src/core/model-signature';
import { requestSizeWarnings, rowBytes } from '../../../src/server/request-size-check';

const criteo: ModelSignature = {
  inputs: [
    ...Array.from({ length: 26 }, (_, i) => ({ name: `C${i + 1}`, alias: `C${i + 1}`, dtype: 'int64' as const, shape: [1] })),
    { name: 'dense_input', alias: 'dense_input', dtype: 'float32', shape: [13] },
  ],
  outputs: [{ name: 'prob', alias: 'prob', dtype: 'float32', shape: [1] }],
};

describe('request size check', () => {
  it('counts the bytes of one row of every input (dynamic dimensions as 1)', () => {
    assert.equal(rowBytes(criteo), 26 * 8 + 13 * 4);
    assert.equal(rowBytes({ inputs: [{ name: 'x', alias: 'x', dtype: 'float32', shape: [-1, 3] }], outputs: [] }), 12);
  });

  it('is silent when a full-size request fits, and names model, rows, bytes and both flags when it does not', () => {
    const model = { name: 'ctr', version: '2', signature: criteo, maxRequestRows: 4096 };
    assert.deepEqual(requestSizeWarnings([model], 8 * 1024 * 1024), [], 'the default model fits the default limit');
    assert.deepEqual(requestSizeWarnings([model], 4096 * 260), [], 'exactly the size is allowed');
    assert.deepEqual(requestSizeWarnings([model, { ...model, name: 'small', maxRequestRows: 1 }], 4096 * 260 - 1), [
      'a request of --max_request_rows (4096) rows for model "ctr" version 2 takes at least 1064960 bytes, over --max_body_size (1064959): such requests will be refused; raise --max_body_size or lower --max_request_rows',
    ]);
  });
});
