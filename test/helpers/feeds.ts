/**
 * Builds Criteo-shaped feeds for tests: `C1`..`C26` int64 [rows,1] and `dense_input` float32
 * [rows,13], with ids below `vocabularySize`.
 */
import type { HostTensor } from '../../src/core/tensor';

export function criteoFeed(rows: number, vocabularySize = 1000, seed = 1): Record<string, HostTensor> {
  const feed: Record<string, HostTensor> = {};
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  for (let field = 1; field <= 26; field++) {
    const data = new BigInt64Array(rows);
    for (let row = 0; row < rows; row++) data[row] = BigInt(next() % vocabularySize);
    feed[`C${field}`] = { dtype: 'int64', dims: [rows, 1], data };
  }
  const dense = new Float32Array(rows * 13);
  for (let i = 0; i < dense.length; i++) dense[i] = (next() % 1000) / 1000;
  feed.dense_input = { dtype: 'float32', dims: [rows, 13], data: dense };
  return feed;
}
