/**
 * Worker start-up and replacement through the real server: every worker (each of several, and
 * every replacement) runs every warm-up feed before it takes a task, even when the warm-up list is
 * empty the start waits for every session; a replacement worker that cannot create its session is
 * logged (never an uncaught exception), readiness follows the workers that can serve, and with
 * no worker left calls fail at once with UNAVAILABLE instead of waiting.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { Code, ServingError } from '../../src/core/errors';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { criteoFeed } from '../helpers/feeds';
import { until } from '../helpers/until';
import { startTestServer, type TestServer } from '../helpers/test-server';

const poolOf = (t: TestServer) => (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;

describe('worker start-up and replacement', () => {
  it('every one of 3 workers runs every warm-up feed before the server is ready', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--thread', '3', '--warmup_batch_sizes', '1,5'] });
    try {
      const pool = poolOf(t);
      assert.equal(pool.warmedUp.size, 3, `workers that warmed up: ${JSON.stringify([...pool.warmedUp])}`);
      const runs = [...pool.warmedUp.values()];
      // Sizes 1 and 5 and the largest merged run (serving-ops adds it).
      assert.ok(runs.every((n) => n === 3), `warm-up runs per worker: ${runs.join(', ')}`);
      assert.equal(pool.readyWorkers, 3);
    } finally {
      await t.stop();
    }
  });

  it('with an empty warm-up list the start still waits for every worker\'s session', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--thread', '3', '--warmup_batch_sizes='] });
    try {
      assert.deepEqual([...poolOf(t).warmedUp.values()], [0, 0, 0]);
      assert.ok(t.logLines.some((line) => line.includes('warmed up at batch sizes []')), 'no warm-up size, none added');
      const result = await t.client.predict(criteoFeed(3));
      assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [3, 1], 'the first request is served');
    } finally {
      await t.stop();
    }
  });

  it('a replacement worker loads the bytes validated at start-up, not the file as it is now on disk', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--thread', '1', '--fault_injection'] });
    try {
      const pool = poolOf(t);
      const before = await t.client.predict(criteoFeed(3));
      fs.writeFileSync(path.join(t.modelDir, 'model.onnx'), 'not a model any more');
      pool.injectFault('exit');
      await t.client.predict(criteoFeed(3)).catch(() => undefined);
      await until('a replacement worker serves', () => pool.readyWorkers === 1 && pool.warmedUp.size === 2);
      const after = await t.client.predict(criteoFeed(3));
      const name = Object.keys(before.outputs)[0];
      assert.deepEqual([...(after.outputs[name].data as Float32Array)], [...(before.outputs[name].data as Float32Array)]);
    } finally {
      await t.stop();
    }
  });

  it('a replacement worker warms up before it serves; one that cannot start is logged, and the rest serve', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--thread', '2', '--fault_injection', '--warmup_batch_sizes', '1,5'] });
    try {
      const pool = poolOf(t);
      const before = new Set(pool.warmedUp.keys());
      pool.injectFault('exit');
      await t.client.predict(criteoFeed(2)).catch(() => undefined);
      await until('a replacement warmed up', () => pool.warmedUp.size === 3 && pool.readyWorkers === 2);
      const replacement = [...pool.warmedUp].find(([id]) => !before.has(id))!;
      assert.equal(replacement[1], 3, 'the replacement ran every warm-up feed (1, 5 and the largest merged run)');

      pool.injectStartFailures(1);
      pool.injectFault('exit');
      await t.client.predict(criteoFeed(2)).catch(() => undefined);
      await until('the failed start is logged', () => t.logLines.some((line) => /a replacement worker could not start/.test(line)));
      await until('one worker left', () => pool.readyWorkers === 1 && pool.liveWorkers === 1);
      assert.ok(t.logLines.some((line) => /injected fault: the worker could not create its session/.test(line)), 'the cause is logged');
      assert.equal(t.server.ops.health.isReady, true, 'one worker still serves');
      for (let i = 0; i < 5; i++) await t.client.predict(criteoFeed(3));
    } finally {
      await t.stop();
    }
  });

  it('with no worker left and none starting: not ready, and calls fail at once with UNAVAILABLE', { timeout: 60_000 }, async () => {
    const t = await startTestServer({ flags: ['--thread', '1', '--fault_injection'] });
    try {
      const pool = poolOf(t);
      pool.injectStartFailures(1);
      pool.injectFault('exit');
      await t.client.predict(criteoFeed(2)).catch(() => undefined);
      await until('no worker left', () => pool.liveWorkers === 0);
      assert.equal(t.server.ops.health.isReady, false);
      const error = await t.client.predict(criteoFeed(2)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ServingError, String(error));
      assert.equal(error.code, Code.UNAVAILABLE, error.rawMessage);
      assert.match(error.rawMessage, /no worker can serve: 0 of 1 workers/);
    } finally {
      await t.stop();
    }
  });
});
