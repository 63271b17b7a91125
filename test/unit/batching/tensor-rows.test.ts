/**
 * Row operations of the batcher: concatenating the feeds of several requests into one buffer.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatFeedRows } from '../../../src/batching/tensor-rows';
import type { HostTensor } from '../../../src/core/tensor';

const feed = (rows: number, first: number): Record<string, HostTensor> => ({
  flag: { dtype: 'uint8', dims: [rows], data: Uint8Array.from({ length: rows }, (_, i) => (first + i) % 256) },
  ids: { dtype: 'int64', dims: [rows, 2], data: BigInt64Array.from({ length: 2 * rows }, (_, i) => BigInt(first * 10 + i)) },
  dense: { dtype: 'float32', dims: [rows, 3], data: Float32Array.from({ length: 3 * rows }, (_, i) => first + i / 4) },
});

describe('concatFeedRows', () => {
  it('concatenates every feed along rows into one buffer, each tensor 8-byte aligned', () => {
    const parts = [feed(1, 1), feed(3, 5)];
    const merged = concatFeedRows(['flag', 'ids', 'dense'], parts);
    assert.deepEqual(merged.flag.dims, [4]);
    assert.deepEqual(merged.ids.dims, [4, 2]);
    assert.deepEqual(merged.dense.dims, [4, 3]);
    for (const name of ['flag', 'ids', 'dense']) {
      const expected = parts.flatMap((part) => Array.from(part[name].data as ArrayLike<unknown>));
      assert.deepEqual(Array.from(merged[name].data as ArrayLike<unknown>), expected, name);
      assert.equal(merged[name].data.buffer, merged.flag.data.buffer, `${name} shares the one buffer`);
      assert.equal(merged[name].data.byteOffset % 8, 0, `${name} aligned`);
    }
    assert.ok(merged.ids.data.byteOffset >= 4, 'the 4 flag bytes come first, ids start after them');
  });

  it('keeps every bit of int64 and float parts, short ones and long ones, with dims of their own', () => {
    const patterns = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 0x7ff8000000000001n, 0x7ff0000000000000n, 0xfff8000000000000n - 2n ** 64n, 123456789012345678n];
    const ids = (rows: number, seed: number): HostTensor => ({ dtype: 'int64', dims: [rows, 1], data: BigInt64Array.from({ length: rows }, (_, i) => patterns[(seed + i) % patterns.length]) });
    const nan = new Float64Array(new BigInt64Array([0x7ff8000000000abcn]).buffer)[0];
    const doubles = (rows: number): HostTensor => ({ dtype: 'float64', dims: [rows, 1], data: Float64Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? nan : i / 3)) });
    const parts = [{ ids: ids(3, 0), x: doubles(3) }, { ids: ids(100, 3), x: doubles(100) }, { ids: ids(1, 5), x: doubles(1) }];
    const merged = concatFeedRows(['ids', 'x'], parts);
    const bits = (t: HostTensor) => Array.from(new BigInt64Array(t.data.buffer, t.data.byteOffset, t.data.length));
    assert.deepEqual(bits(merged.ids), parts.flatMap((p) => bits(p.ids)));
    assert.deepEqual(bits(merged.x), parts.flatMap((p) => bits(p.x)));
    assert.deepEqual(merged.ids.dims, [104, 1]);
    assert.notEqual(merged.ids.dims, parts[0].ids.dims, 'dims are the merged tensor\'s own');
    assert.deepEqual(parts[0].ids.dims, [3, 1], 'the parts\' dims are untouched');
  });

  it('refuses parts of different row shapes, naming both', () => {
    const other = feed(2, 0);
    other.dense = { dtype: 'float32', dims: [2, 4], data: new Float32Array(8) };
    assert.throws(() => concatFeedRows(['dense'], [feed(1, 0), other]), /cannot concatenate float32\[4\] with float32\[3\]/);
  });
});
