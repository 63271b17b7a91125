/**
 * Runs over the workers' direct lanes, through the real pool and ONNX Runtime: once the workers
 * are warm every run takes a lane (piscina completes no task for it), a worker that dies during
 * a lane run fails that run with INTERNAL and its replacement opens a lane that serves, closing
 * the engine waits for the lane runs in flight, and terminating it fails a run stuck in a worker.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { Code, ServingError } from '../../src/core/errors';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { criteoFeed } from '../helpers/feeds';
import { until } from '../helpers/until';
import { startTestServer, type TestServer } from '../helpers/test-server';

const OUTPUT = 'sigmoid_0.tmp_0';

describe('worker lanes', () => {
  let t: TestServer;
  let pool: WorkerPoolEngine;
  before(async () => {
    t = await startTestServer({ flags: ['--thread', '2', '--fault_injection'] });
    pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
    await until('both workers opened a lane', () => pool.laneCount === 2);
  });
  after(() => t?.stop());

  it('runs every request over a lane once the workers are warm, with the scores of the model', { timeout: 30_000 }, async () => {
    const before = pool.piscinaTasksCompleted;
    const feeds = criteoFeed(5);
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.run(feeds, [OUTPUT])));
    assert.equal(pool.piscinaTasksCompleted, before, 'no run went through piscina');
    for (const result of results) {
      assert.deepEqual(result.outputs[OUTPUT].dims, [5, 1]);
      assert.deepEqual(Array.from(result.outputs[OUTPUT].data as Float32Array), Array.from(results[0].outputs[OUTPUT].data as Float32Array));
    }
    const scores = Array.from(results[0].outputs[OUTPUT].data as Float32Array);
    assert.ok(scores.every((p) => p > 0 && p < 1), `click probabilities: ${scores.join(', ')}`);
  });

  it('fails only the run of a worker that dies during it; the replacement opens a lane that serves', { timeout: 30_000 }, async () => {
    pool.injectFault('exit');
    await assert.rejects(pool.run(criteoFeed(5), [OUTPUT]), (error: unknown) => error instanceof ServingError && error.code === Code.INTERNAL);
    await until('the replacement worker opened its lane', () => pool.laneCount === 2 && pool.liveWorkers === 2, 20_000);
    const before = pool.piscinaTasksCompleted;
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.run(criteoFeed(3), [OUTPUT])));
    assert.ok(results.every((r) => r.outputs[OUTPUT].dims[0] === 3));
    assert.equal(pool.piscinaTasksCompleted, before, 'the runs took the lanes');
  });

  it('close() waits for the lane runs in flight', { timeout: 30_000 }, async () => {
    const runs = Array.from({ length: 6 }, () => pool.run(criteoFeed(4), [OUTPUT]));
    await pool.close();
    const settled = await Promise.allSettled(runs);
    assert.deepEqual(settled.map((s) => s.status), Array(6).fill('fulfilled'));
  });
});

describe('worker lanes when the engine is terminated', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ flags: ['--thread', '1', '--fault_injection'] });
  });
  after(() => t?.stop());

  it('fails a lane run stuck in its worker with INTERNAL instead of leaving it pending', { timeout: 20_000 }, async () => {
    const pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
    await until('the worker opened its lane', () => pool.laneCount === 1);
    pool.injectFault('hang');
    const stuck = assert.rejects(pool.run(criteoFeed(2), [OUTPUT]), (error: unknown) => error instanceof ServingError && error.code === Code.INTERNAL);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pool.terminate();
    await stuck;
  });
});
