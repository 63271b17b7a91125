import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchRecords, DEFAULT_FEED_NAMES, readCriteoRecords, recordsToFeed } from '../../../src/data/criteo-reader';
import { createCriteoRecord, type CriteoRecord } from '../../../src/data/criteo-record';
import { SKIP_WITHOUT_CRITEO_SAMPLE, SLOT_SAMPLE } from './criteo-sample-dir';

async function countBatches<T>(items: Iterable<T> | AsyncIterable<T>, size: number, dropLast?: boolean): Promise<number[]> {
  const sizes: number[] = [];
  for await (const batch of batchRecords(items, size, dropLast === undefined ? {} : { dropLast })) sizes.push(batch.length);
  return sizes;
}

test('batching the slot sample drops the last incomplete batch (80/5 -> 16, 80/7 -> 11)', { skip: SKIP_WITHOUT_CRITEO_SAMPLE }, async () => {
  assert.equal((await countBatches(readCriteoRecords(SLOT_SAMPLE), 5)).length, 16);
  const sevens = await countBatches(readCriteoRecords(SLOT_SAMPLE), 7);
  assert.equal(sevens.length, 11);
  assert.ok(sevens.every((n) => n === 7));
});

test('batchRecords: order, dropLast false, sync input, bad size', async () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(await countBatches(items, 3), [3, 3, 3]);
  assert.deepEqual(await countBatches(items, 3, false), [3, 3, 3, 1]);
  assert.deepEqual(await countBatches(items, 20), []);
  const batches: number[][] = [];
  for await (const b of batchRecords(items, 4, { dropLast: false })) batches.push(b);
  assert.deepEqual(batches, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  await assert.rejects(countBatches(items, 0), /batchSize must be a positive integer; got 0/);
  await assert.rejects(countBatches(items, 1.5), /batchSize must be a positive integer; got 1.5/);
});

function record(i: number, label?: number): CriteoRecord {
  const r = createCriteoRecord();
  if (label !== undefined) r.label = label;
  for (let k = 0; k < 26; k++) r.sparse[k] = BigInt(i * 100 + k);
  for (let d = 0; d < 13; d++) r.dense[d] = i + d / 16;
  return r;
}

test('recordsToFeed: C1..C26 int64 [B,1] and dense_input float32 [B,13], row-major', () => {
  const { feed, labels } = recordsToFeed([record(0, 1), record(1, 0), record(2)]);
  assert.deepEqual(Object.keys(feed), [...DEFAULT_FEED_NAMES]);
  assert.equal(DEFAULT_FEED_NAMES[0], 'C1');
  assert.equal(DEFAULT_FEED_NAMES[26], 'dense_input');
  for (let k = 1; k <= 26; k++) {
    const t = feed[`C${k}`];
    assert.equal(t.dtype, 'int64');
    assert.deepEqual(t.dims, [3, 1]);
    assert.ok(t.data instanceof BigInt64Array);
    assert.deepEqual([...t.data], [BigInt(k - 1), BigInt(100 + k - 1), BigInt(200 + k - 1)]);
  }
  const dense = feed.dense_input;
  assert.equal(dense.dtype, 'float32');
  assert.deepEqual(dense.dims, [3, 13]);
  assert.ok(dense.data instanceof Float32Array);
  assert.equal(dense.data[13 + 2], 1 + 2 / 16); // row 1, column 2
  assert.deepEqual(labels.slice(0, 2), [1, 0]);
  assert.ok(Number.isNaN(labels[2]));
});

test('recordsToFeed: the batch\'s tensors are distinct, 8-byte aligned views of one buffer', () => {
  const { feed } = recordsToFeed([record(0), record(1), record(2)]);
  const tensors = Object.values(feed);
  const buffer = tensors[0].data.buffer;
  assert.equal(buffer.byteLength, 26 * 3 * 8 + 3 * 13 * 4);
  const ranges = tensors.map((t) => [t.data.byteOffset, t.data.byteOffset + t.data.byteLength]).sort((a, b) => a[0] - b[0]);
  for (const [i, t] of tensors.entries()) {
    assert.equal(t.data.buffer, buffer, `tensor ${i}`);
    assert.equal(t.data.byteOffset % 8, 0, `tensor ${i}`);
    if (i > 0) assert.ok(ranges[i][0] >= ranges[i - 1][1], 'tensors overlap');
  }
  // A second batch gets its own buffer.
  assert.notEqual(recordsToFeed([record(3)]).feed.C1.data.buffer, buffer);
});

test('recordsToFeed maps onto a config\'s aliases in order, as rec_client.py does', () => {
  const aliases = [...Array.from({ length: 26 }, (_, i) => `sparse_${i}`), 'dense'];
  const { feed } = recordsToFeed([record(4)], aliases);
  assert.deepEqual(Object.keys(feed), aliases);
  assert.deepEqual([...feed.sparse_0.data], [400n]);
  assert.deepEqual([...feed.sparse_25.data], [425n]);
  assert.deepEqual(feed.dense.dims, [1, 13]);
  assert.throws(() => recordsToFeed([record(0)], ['a', 'b']), /expected 27 feed names \(26 sparse, then dense\); got 2/);
  const repeated = [...aliases.slice(0, 26), 'sparse_3'];
  assert.throws(() => recordsToFeed([record(0)], repeated), /feed names must be distinct; repeated: \{sparse_3\}/);
  assert.throws(() => recordsToFeed([]), /at least 1 record; got 0/);
  const short = record(0);
  short.dense = new Float32Array(12);
  assert.throws(() => recordsToFeed([short]), /record 0: expected 13 dense values and 26 ids; got 12 and 26/);
});
