/**
 * How inputs reach a worker through the real pool: a merged batch's feeds (one buffer, given up by
 * the caller with `feedsMovable`) are moved to the worker without a copy, and the scores are the
 * same as when they are copied; feeds the caller keeps are copied and stay readable.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { concatFeedRows } from '../../src/batching/tensor-rows';
import type { HostTensor } from '../../src/core/tensor';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

const OUTPUT = 'sigmoid_0.tmp_0';

describe('worker pool inputs', () => {
  let t: TestServer;
  let pool: WorkerPoolEngine;
  before(async () => {
    t = await startTestServer({ flags: ['--thread', '1'] });
    pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
  });
  after(() => t?.stop());

  const merged = (): Record<string, HostTensor> => {
    const parts = [criteoFeed(3, 1000, 1), criteoFeed(2, 1000, 2)];
    return concatFeedRows(Object.keys(parts[0]), parts);
  };

  it('moves movable feeds that share one buffer, with the scores of a copied run', async () => {
    const kept = merged();
    const copied = await pool.run(kept, [OUTPUT]);
    assert.ok(Object.values(kept).every((tensor) => tensor.data.byteLength > 0), 'feeds the caller keeps are copied, still readable');
    const movable = merged();
    const buffer = movable.C1.data.buffer;
    const moved = await pool.run(movable, [OUTPUT], { feedsMovable: true });
    assert.equal(buffer.byteLength, 0, 'the batch buffer went to the worker (detached here), not copied');
    assert.deepEqual(moved.outputs[OUTPUT].dims, [5, 1]);
    assert.deepEqual(Array.from(moved.outputs[OUTPUT].data as Float32Array), Array.from(copied.outputs[OUTPUT].data as Float32Array));
  });

  it('copies movable feeds that do not share one buffer', async () => {
    const feeds = criteoFeed(4);
    const result = await pool.run(feeds, [OUTPUT], { feedsMovable: true });
    assert.deepEqual(result.outputs[OUTPUT].dims, [4, 1]);
    assert.ok(Object.values(feeds).every((tensor) => tensor.data.byteLength > 0), 'separate buffers are packed by copy');
  });
});
