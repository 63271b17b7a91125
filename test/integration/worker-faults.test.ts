/**
 * Worker faults under load, through the real server, worker pool and client: a worker thread that
 * dies, and an ONNX Runtime run that throws (test-only fault injection, --fault_injection). The
 * requests of the affected run fail with INTERNAL "internal error" (the cause is logged, never
 * sent), piscina replaces the dead worker, and all other traffic succeeds.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { Code, ServingError } from '../../src/core/errors';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('worker faults under load', () => {
  let t: TestServer;
  let pool: WorkerPoolEngine;
  before(async () => {
    t = await startTestServer({ flags: ['--thread', '2', '--fault_injection', '--max_queue_size', '1000'] });
    pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
  });
  after(() => t.stop());

  async function loadWithFault(kind: 'exit' | 'throw'): Promise<{ ok: number; internal: ServingError[]; other: unknown[] }> {
    const feed = criteoFeed(16);
    let ok = 0;
    const internal: ServingError[] = [];
    const other: unknown[] = [];
    const one = () => t.client.predict(feed).then(() => { ok++; }, (error: unknown) => {
      if (error instanceof ServingError && error.code === Code.INTERNAL) internal.push(error);
      else other.push(error);
    });
    const waves: Array<Promise<void>> = [];
    for (let wave = 0; wave < 6; wave++) {
      if (wave === 2) pool.injectFault(kind);
      waves.push(...Array.from({ length: 16 }, one));
      await Promise.all(waves);
    }
    return { ok, internal, other };
  }

  it('a worker that dies fails only its run with INTERNAL; the worker is replaced and the rest succeed', async () => {
    const result = await loadWithFault('exit');
    assert.deepEqual(result.other, []);
    assert.ok(result.internal.length >= 1, 'the run on the dying worker failed');
    assert.ok(result.ok >= 96 - 16, `the other requests succeeded (${result.ok} of 96)`);
    assert.equal(result.ok + result.internal.length, 96);
    for (const error of result.internal) assert.equal(error.rawMessage, 'internal error', 'the cause is not leaked');
    assert.ok(t.logLines.some((line) => /engine run failed/.test(line)), 'the cause is logged');
    for (let i = 0; i < 200 && pool.liveWorkers < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(pool.liveWorkers, 2, 'piscina replaced the dead worker');
    // Two workers serve again: two concurrent runs both succeed, repeatedly.
    for (let i = 0; i < 10; i++) await Promise.all([t.client.predict(criteoFeed(3)), t.client.predict(criteoFeed(3))]);
  });

  it('an ONNX Runtime run that throws fails its requests with INTERNAL and the cause goes to the log only', async () => {
    const before = t.logLines.length;
    const result = await loadWithFault('throw');
    assert.deepEqual(result.other, []);
    assert.ok(result.internal.length >= 1);
    assert.equal(result.ok + result.internal.length, 96);
    for (const error of result.internal) assert.doesNotMatch(error.rawMessage, /injected/);
    assert.ok(t.logLines.slice(before).some((line) => /injected fault: ONNX Runtime run failed/.test(line)));
  });

  it('refuses fault injection unless the server was started with --fault_injection', async () => {
    const plain = await startTestServer();
    try {
      const engine = (plain.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
      assert.throws(() => engine.injectFault('exit'), /fault injection is off/);
    } finally {
      await plain.stop();
    }
  });
});
