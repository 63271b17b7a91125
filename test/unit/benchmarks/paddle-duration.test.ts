import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPaddleDuration, parsePaddleDuration } from '../../../benchmarks/lib/paddle-duration';
import { PADDLE_PUBLISHED, findPublished } from '../../../benchmarks/lib/paddle-published';

test('formats durations the way Paddle published them', () => {
  assert.equal(formatPaddleDuration(890_482), '14 min 50.482 s');
  assert.equal(formatPaddleDuration(4_335_739), '1 h 12 min 15.739 s');
  assert.equal(formatPaddleDuration(3_600_000), '1 h 0 min 0.000 s');
  assert.equal(formatPaddleDuration(1_002.4), '1.002 s');
  assert.equal(formatPaddleDuration(0), '0.000 s');
});

test('parses every published total time back to the same text', () => {
  for (const row of PADDLE_PUBLISHED) assert.equal(formatPaddleDuration(parsePaddleDuration(row.totalTime)), row.totalTime);
  assert.equal(parsePaddleDuration('4 min 32.014 s'), 272_014);
});

test('rejects text and numbers that are not durations', () => {
  assert.throws(() => parsePaddleDuration('12 minutes'), /expected a duration like "1 h 12 min 15.739 s"; got "12 minutes"/);
  assert.throws(() => formatPaddleDuration(-1), /non-negative number of milliseconds; got -1/);
});

test('findPublished finds each published row by its whole configuration, and nothing else', () => {
  for (const row of PADDLE_PUBLISHED) {
    const { totalTime: _text, totalMs: _ms, ...config } = row;
    assert.equal(findPublished({ ...config }), row, `${row.provider} mkldnn=${row.mkldnn} threads=${row.threads} batch=${row.batchSize}`);
  }
  const cpu5 = { provider: 'cpu' as const, mkldnn: false, threads: 1, batchSize: 5, memoryOptimization: true, irOptimization: true };
  for (const unpublished of [{ threads: 2 }, { batchSize: 6 }, { provider: 'tensorrt' as const }, { memoryOptimization: false }, { irOptimization: false }]) {
    assert.equal(findPublished({ ...cpu5, ...unpublished }), undefined, JSON.stringify(unpublished));
  }
});
