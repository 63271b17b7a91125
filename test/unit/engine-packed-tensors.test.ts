/**
 * packTensors / packInPlace / unpackTensors: one transferable buffer carries every tensor between threads.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostTensor } from '../../src/core/tensor';
import { packInPlace, packTensors, unpackTensors } from '../../src/engine/packed-tensors';

describe('packed tensors', () => {
  it('round-trips names, dtypes, dims and values, each view 8-byte aligned', () => {
    const tensors: Record<string, HostTensor> = {
      a: { dtype: 'int8', dims: [3, 1], data: Int8Array.from([-1, 2, -3]) },
      ids: { dtype: 'int64', dims: [2, 2], data: BigInt64Array.from([1n, -2n, 1n << 40n, 7n]) },
      dense: { dtype: 'float32', dims: [1, 3], data: Float32Array.from([0.5, -1.25, 3]) },
      f16: { dtype: 'float16', dims: [1], data: Uint16Array.from([0x3c00]) },
      d: { dtype: 'float64', dims: [2], data: Float64Array.from([Math.PI, -0]) },
    };
    const packed = packTensors(tensors);
    const back = unpackTensors(structuredClone(packed, { transfer: [packed.buffer] }));
    assert.deepEqual(Object.keys(back), Object.keys(tensors));
    for (const name of Object.keys(tensors)) {
      assert.equal(back[name].dtype, tensors[name].dtype, name);
      assert.deepEqual(back[name].dims, tensors[name].dims, name);
      assert.deepEqual(Array.from(back[name].data as ArrayLike<unknown>), Array.from(tensors[name].data as ArrayLike<unknown>), name);
      assert.equal(back[name].data.byteOffset % 8, 0, name);
    }
  });

  it('copies, never detaching the caller\'s arrays, and handles no tensors', () => {
    const data = BigInt64Array.from([5n]);
    const packed = packTensors({ x: { dtype: 'int64', dims: [1, 1], data } });
    structuredClone(packed, { transfer: [packed.buffer] });
    assert.equal(data[0], 5n);
    assert.deepEqual(unpackTensors(packTensors({})), {});
  });

  it('packs tensors that share one buffer in place: the same buffer, no copy, same values after unpacking', () => {
    const buffer = new ArrayBuffer(64);
    const tensors: Record<string, HostTensor> = {
      ids: { dtype: 'int64', dims: [2, 1], data: new BigInt64Array(buffer, 0, 2) },
      dense: { dtype: 'float32', dims: [2, 3], data: new Float32Array(buffer, 16, 6) },
    };
    (tensors.ids.data as BigInt64Array).set([3n, 1n << 40n]);
    (tensors.dense.data as Float32Array).set([1, 2, 3, 4, 5, 6]);
    const packed = packInPlace(tensors);
    assert.ok(packed !== undefined);
    assert.equal(packed.buffer, buffer, 'no copy');
    const back = unpackTensors(structuredClone(packed, { transfer: [packed.buffer] }));
    assert.deepEqual(Array.from(back.ids.data as BigInt64Array), [3n, 1n << 40n]);
    assert.deepEqual(back.dense.dims, [2, 3]);
    assert.deepEqual(Array.from(back.dense.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    assert.equal(tensors.ids.data.byteLength, 0, 'transferring the packed buffer detaches the tensors');
  });

  it('packs in place only one ArrayBuffer at 8-byte-aligned offsets', () => {
    const x = { dtype: 'float32' as const, dims: [1], data: new Float32Array(1) };
    assert.equal(packInPlace({ x, y: { dtype: 'float32', dims: [1], data: new Float32Array(1) } }), undefined, 'two buffers');
    assert.equal(packInPlace({ x: { dtype: 'float32', dims: [1], data: new Float32Array(new ArrayBuffer(16), 4, 1) } }), undefined, 'misaligned');
    assert.equal(packInPlace({ x: { dtype: 'float32', dims: [1], data: new Float32Array(new SharedArrayBuffer(8)) } }), undefined, 'shared memory cannot be moved');
    assert.equal(packInPlace({}), undefined);
    assert.ok(packInPlace({ x }) !== undefined);
  });

  it('refuses a layout that overruns the buffer', () => {
    const packed = packTensors({ x: { dtype: 'int64', dims: [2, 1], data: new BigInt64Array(2) } });
    const layout = Float64Array.from(packed.layout);
    layout[2] = 1000;
    assert.throws(() => unpackTensors({ ...packed, layout }), /packed tensor overruns its buffer/);
  });
});
