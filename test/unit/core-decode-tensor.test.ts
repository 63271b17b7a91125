/**
 * decodeCheckedRawTensors: one fresh buffer per request, each tensor an aligned view of it.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRawTensor, decodeCheckedRawTensors, type RawTensor } from '../../src/core/decode-tensor';

const bytesOf = (data: ArrayBufferView) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

describe('decodeCheckedRawTensors', () => {
  it('copies every tensor into one buffer, each view 8-byte aligned, values and dims kept', () => {
    const raw: RawTensor[] = [
      { name: 'flag', dtype: 'int8', shape: [3, 1], bytes: bytesOf(Int8Array.from([-1, 2, -3])) },
      { name: 'ids', dtype: 'int64', shape: [2, 1], bytes: bytesOf(BigInt64Array.from([1n << 40n, -7n])) },
      { name: 'dense', dtype: 'float32', shape: [1, 3], bytes: bytesOf(Float32Array.from([0.5, -1.25, 3])) },
      { name: 'd', dtype: 'float64', shape: [1], bytes: bytesOf(Float64Array.from([Math.PI])) },
    ];
    const tensors = decodeCheckedRawTensors(raw);
    assert.deepEqual(tensors.map((t) => t.dtype), ['int8', 'int64', 'float32', 'float64']);
    assert.deepEqual(tensors.map((t) => t.dims), raw.map((r) => r.shape));
    assert.deepEqual(Array.from(tensors[0].data as Int8Array), [-1, 2, -3]);
    assert.deepEqual(Array.from(tensors[1].data as BigInt64Array), [1n << 40n, -7n]);
    assert.deepEqual(Array.from(tensors[2].data as Float32Array), [0.5, -1.25, 3]);
    assert.deepEqual(Array.from(tensors[3].data as Float64Array), [Math.PI]);
    for (const tensor of tensors) {
      assert.equal(tensor.data.buffer, tensors[0].data.buffer);
      assert.equal(tensor.data.byteOffset % 8, 0);
    }
  });

  it('copies: later changes to the request bytes do not reach the tensors', () => {
    const source = bytesOf(BigInt64Array.from([5n]));
    const [tensor] = decodeCheckedRawTensors([{ name: 'x', dtype: 'int64', shape: [1, 1], bytes: source }]);
    source.fill(0);
    assert.equal((tensor.data as BigInt64Array)[0], 5n);
    assert.deepEqual(decodeCheckedRawTensors([]), []);
  });

  it('checkRawTensor names the input, the expected and the actual byte length', () => {
    assert.throws(
      () => checkRawTensor('C1', 'int64', [5, 1], new Uint8Array(39)),
      { message: 'input "C1": shape [5,1] of int64 needs 40 bytes; got 39' },
    );
  });
});
