/**
 * How inputs reach a worker through the real pool: a merged batch's feeds (one buffer, given up by
 * the caller with `feedsMovable`) are moved to the worker without a copy, and the scores are the
 * same as when they are copied; feeds the caller keeps are copied and stay readable. Through the
 * whole server, a lone gRPC Predict request's decoded inputs (their own buffer) are moved too,
 * while Paddle's, which the server does not give up, are copied.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { concatFeedRows } from '../../src/batching/tensor-rows';
import type { HostTensor } from '../../src/core/tensor';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { connect } from '../../src/index';
import type { EngineRunOptions, EngineRunResult } from '../../src/core/inference-engine';
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

describe('a lone request\'s inputs on their way to a worker', () => {
  let t: TestServer;
  let pool: WorkerPoolEngine;
  /** What the worker pool received, per run. */
  const runs: Array<{ movable: boolean; buffer: ArrayBufferLike }> = [];
  /** What the predictor handed the model's (batching) engine, per request. */
  const requests: Array<{ signal: boolean; lifetime: boolean }> = [];
  before(async () => {
    // Every run on a worker (no main-thread runs), so a lone request reaches the pool.
    t = await startTestServer({ flags: ['--thread', '1', '--inline_max_rows', '0'] });
    pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
    const run = pool.run.bind(pool);
    pool.run = (feeds: Record<string, HostTensor>, outputNames: readonly string[], options?: EngineRunOptions): Promise<EngineRunResult> => {
      runs.push({ movable: options?.feedsMovable === true, buffer: Object.values(feeds)[0].data.buffer });
      return run(feeds, outputNames, options);
    };
    const batching = t.server.predictor.model().engine as BatchingEngine;
    const enqueue = batching.run.bind(batching);
    batching.run = (feeds: Record<string, HostTensor>, outputNames: readonly string[], options?: EngineRunOptions): Promise<EngineRunResult> => {
      requests.push({ signal: options?.signal !== undefined, lifetime: options?.lifetime !== undefined });
      return enqueue(feeds, outputNames, options);
    };
  });
  after(() => t?.stop());

  it('moves a gRPC Predict request\'s decoded inputs to the worker, and copies Paddle\'s', async () => {
    const feed = criteoFeed(5);
    const grpc = await t.client.predict(feed);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].movable, true, 'Predict gives its decoded inputs up');
    assert.equal(runs[0].buffer.byteLength, 0, 'the request\'s buffer went to the worker (detached here)');
    assert.deepEqual(requests[0], { lifetime: true, signal: false }, 'the call\'s lifetime travels, and no AbortSignal was created for it');
    const paddle = connect({ endpoints: t.target, protocol: 'paddle-grpc', deadlineMs: 5000 });
    try {
      const viaPaddle = await paddle.predict(feed);
      assert.equal(runs.length, 2);
      assert.equal(runs[1].movable, false, 'Paddle\'s inputs stay the server\'s');
      assert.ok(runs[1].buffer.byteLength > 0, 'copied, still readable');
      assert.deepEqual(Array.from(viaPaddle.outputs[OUTPUT].data as Float32Array), Array.from(grpc.outputs[OUTPUT].data as Float32Array));
    } finally {
      paddle.close();
    }
  });
});
