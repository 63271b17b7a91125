/**
 * Packs a batch of records into the 27 input tensors of the Criteo models (DeepFM and family).
 *
 * Contract of `recordsToFeed(records, feedNames?)`:
 * - `feedNames` has 27 distinct names: the 26 sparse feeds (slots 1..26 in order) then the dense
 *   feed. Default `C1`..`C26`, `dense_input`, the names of PaddleRec's exported models. Passing a
 *   client config's aliases maps the reader's outputs onto them by position, as PaddleRec's
 *   `rec_client.py` does (its feed order is the config's order).
 * - Each sparse feed is int64 with dims `[B, 1]`; the dense feed is float32 with dims `[B, 13]`,
 *   row-major. The batch's 27 tensors are views of ONE fresh ArrayBuffer (one allocation per
 *   batch, the ids first), so a writer that views a buffer once serves all of them; moving the
 *   buffer moves the whole feed.
 * - `labels[i]` is record i's label, or NaN when it has none.
 * - An empty batch is an error: the models' batch dimension must be at least 1.
 */
import { NUM_DENSE_FEATURES, NUM_SPARSE_SLOTS, type CriteoRecord } from './criteo-record';

/** PaddleRec DeepFM's feed names: `C1`..`C26` then `dense_input`. */
export const DEFAULT_FEED_NAMES: readonly string[] = Object.freeze([
  ...Array.from({ length: NUM_SPARSE_SLOTS }, (_, i) => `C${i + 1}`),
  'dense_input',
]);

/** Structurally a `core/tensor` `HostTensor`, kept local so `data/` depends on nothing. */
export interface FeedTensor {
  dtype: 'int64' | 'float32';
  dims: number[];
  data: BigInt64Array | Float32Array;
}

export interface CriteoFeed {
  feed: Record<string, FeedTensor>;
  labels: number[];
}

function validateFeedNames(names: readonly string[]): void {
  const expected = NUM_SPARSE_SLOTS + 1;
  if (names.length !== expected) {
    throw new Error(`expected ${expected} feed names (26 sparse, then dense); got ${names.length}`);
  }
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) throw new Error(`feed names must be distinct; repeated: {${[...new Set(duplicates)].join(', ')}}`);
}

export function recordsToFeed(
  records: readonly CriteoRecord[],
  feedNames: readonly string[] = DEFAULT_FEED_NAMES,
): CriteoFeed {
  validateFeedNames(feedNames);
  const batch = records.length;
  if (batch === 0) throw new Error('recordsToFeed needs at least 1 record; got 0');
  // Ids: 8 bytes each, so every slot's view starts 8-byte aligned; the floats after them.
  const buffer = new ArrayBuffer(NUM_SPARSE_SLOTS * batch * 8 + batch * NUM_DENSE_FEATURES * 4);
  const sparse = Array.from({ length: NUM_SPARSE_SLOTS }, (_, k) => new BigInt64Array(buffer, k * batch * 8, batch));
  const dense = new Float32Array(buffer, NUM_SPARSE_SLOTS * batch * 8, batch * NUM_DENSE_FEATURES);
  const labels = new Array<number>(batch);
  for (let r = 0; r < batch; r++) {
    const record = records[r];
    if (record.dense.length !== NUM_DENSE_FEATURES || record.sparse.length !== NUM_SPARSE_SLOTS) {
      throw new Error(
        `record ${r}: expected ${NUM_DENSE_FEATURES} dense values and ${NUM_SPARSE_SLOTS} ids; ` +
          `got ${record.dense.length} and ${record.sparse.length}`,
      );
    }
    for (let k = 0; k < NUM_SPARSE_SLOTS; k++) sparse[k][r] = record.sparse[k];
    dense.set(record.dense, r * NUM_DENSE_FEATURES);
    labels[r] = record.label ?? NaN;
  }
  const feed: Record<string, FeedTensor> = {};
  for (let k = 0; k < NUM_SPARSE_SLOTS; k++) {
    feed[feedNames[k]] = { dtype: 'int64', dims: [batch, 1], data: sparse[k] };
  }
  feed[feedNames[NUM_SPARSE_SLOTS]] = { dtype: 'float32', dims: [batch, NUM_DENSE_FEATURES], data: dense };
  return { feed, labels };
}
