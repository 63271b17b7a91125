/**
 * packColumnFeeds: [rows, 1] columns become one [rows, n] tensor bit for bit, whether the columns
 * share one request buffer (as decoded requests do) or each has its own, for 8-, 4- and 1-byte
 * dtypes; other feeds pass through untouched.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostTensor } from '../../../src/core/tensor';
import { packColumnFeeds } from '../../../src/engine/column-packing';

function sharedColumns(rows: number, width: number): Record<string, HostTensor> {
  // One arena with a leading pad, as decodeCheckedRawTensors lays requests out.
  const arena = new ArrayBuffer(8 + rows * width * 8);
  const feeds: Record<string, HostTensor> = {};
  for (let c = 0; c < width; c++) {
    const data = new BigInt64Array(arena, 8 + c * rows * 8, rows);
    for (let r = 0; r < rows; r++) data[r] = BigInt(c * 1000 + r) + (c === 2 ? 2n ** 40n : 0n);
    feeds[`c${c}`] = { dtype: 'int64', dims: [rows, 1], data };
  }
  return feeds;
}

describe('packColumnFeeds', () => {
  it('packs int64 columns that share one buffer, row by row, exactly', () => {
    const feeds = sharedColumns(3, 4);
    feeds.dense = { dtype: 'float32', dims: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) };
    const out = packColumnFeeds(feeds, [{ packedName: 'ids', dtype: 'int64', columns: ['c0', 'c1', 'c2', 'c3'] }]);
    assert.deepEqual(Object.keys(out).sort(), ['dense', 'ids']);
    assert.deepEqual(out.ids.dims, [3, 4]);
    assert.deepEqual([...(out.ids.data as BigInt64Array)], [
      0n, 1000n, 2000n + 2n ** 40n, 3000n,
      1n, 1001n, 2001n + 2n ** 40n, 3001n,
      2n, 1002n, 2002n + 2n ** 40n, 3002n,
    ]);
    assert.equal(out.dense, feeds.dense, 'other feeds are passed through, not copied');
    assert.equal((feeds.c0.data as BigInt64Array)[1], 1n, 'the inputs are not modified');
  });

  it('packs columns in the order the packing names, from separate buffers', () => {
    const a: HostTensor = { dtype: 'float32', dims: [2, 1], data: new Float32Array([Number.NaN, -0]) };
    const b: HostTensor = { dtype: 'float32', dims: [2, 1], data: new Float32Array([1.5, 2.5]) };
    const out = packColumnFeeds({ a, b }, [{ packedName: 'p', dtype: 'float32', columns: ['b', 'a'] }]);
    const bits = new Uint32Array((out.p.data as Float32Array).buffer);
    const source = new Uint32Array(a.data.buffer);
    assert.deepEqual([...(out.p.data as Float32Array)].slice(0, 1), [1.5]);
    assert.equal(bits[1], source[0], 'NaN keeps its bits');
    assert.equal(bits[3], source[1], '-0 keeps its sign');
    assert.equal((out.p.data as Float32Array)[2], 2.5);
  });

  it('packs one-byte columns at any offset', () => {
    const bytes = new Uint8Array([9, 1, 2, 3, 4, 5, 6]);
    const x: HostTensor = { dtype: 'uint8', dims: [3, 1], data: bytes.subarray(1, 4) };
    const y: HostTensor = { dtype: 'uint8', dims: [3, 1], data: bytes.subarray(4, 7) };
    const out = packColumnFeeds({ x, y }, [{ packedName: 'xy', dtype: 'uint8', columns: ['x', 'y'] }]);
    assert.deepEqual([...(out.xy.data as Uint8Array)], [1, 4, 2, 5, 3, 6]);
  });

  it('returns the feeds as they are without packings', () => {
    const feeds = sharedColumns(1, 2);
    assert.equal(packColumnFeeds(feeds, []), feeds);
  });

  it('packs int64 columns held in separate buffers, negative and beyond 2^53, and passes the named inputs through', () => {
    const values = [[-1n, 2n ** 62n + 1n], [-(2n ** 63n), 7n], [2n ** 53n + 1n, 0n]];
    const feeds: Record<string, HostTensor> = {};
    values.forEach((column, c) => {
      feeds[`c${c}`] = { dtype: 'int64', dims: [2, 1], data: BigInt64Array.from(column) };
    });
    feeds.dense = { dtype: 'float32', dims: [2, 1], data: Float32Array.of(1, 2) };
    feeds.extra = { dtype: 'float32', dims: [2, 1], data: Float32Array.of(3, 4) };
    const out = packColumnFeeds(feeds, [{ packedName: 'ids', dtype: 'int64', columns: ['c0', 'c1', 'c2'] }], ['dense']);
    assert.deepEqual([...(out.ids.data as BigInt64Array)], [-1n, -(2n ** 63n), 2n ** 53n + 1n, 2n ** 62n + 1n, 7n, 0n]);
    assert.deepEqual(Object.keys(out).sort(), ['dense', 'ids'], 'only the named pass-through inputs join the packed one');
    assert.equal(out.dense, feeds.dense);
  });

  it('packs an int64 group bit for bit when a column arrives in another array type', () => {
    const words = new Uint32Array([5, 0, 0xffffffff, 0xffffffff]); // 5 and -1 as little-endian int64
    const feeds: Record<string, HostTensor> = {
      c0: { dtype: 'int64', dims: [2, 1], data: BigInt64Array.of(10n, 11n) },
      c1: { dtype: 'int64', dims: [2, 1], data: new BigUint64Array(words.buffer) as unknown as BigInt64Array },
    };
    const out = packColumnFeeds(feeds, [{ packedName: 'ids', dtype: 'int64', columns: ['c0', 'c1'] }]);
    assert.deepEqual([...(out.ids.data as BigInt64Array)], [10n, 5n, 11n, -1n]);
  });
});
