/**
 * `--shutdown_grace_ms` bounds the whole shutdown, closing the workers included: with a worker
 * stuck in a run (test-only 'hang' fault: blocked for a minute), `stop()` returns within the grace
 * period plus slack, the stuck call fails instead of holding the process, and a log line says the
 * workers were terminated. A negative grace period is refused at start-up.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchingEngine } from '../../src/batching/batching-engine';
import { loadServeConfig } from '../../src/config/serve-config';
import type { WorkerPoolEngine } from '../../src/engine/worker-pool-engine';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer } from '../helpers/test-server';

const GRACE_MS = 1000;

describe('shutdown grace period', () => {
  it('bounds the whole stop, a worker stuck in a run included', { timeout: 30_000 }, async () => {
    const t = await startTestServer({ flags: ['--fault_injection', '--shutdown_grace_ms', String(GRACE_MS)] });
    const pool = (t.server.predictor.model().engine as BatchingEngine).inner as WorkerPoolEngine;
    pool.injectFault('hang');
    const stuck = t.client.predict(criteoFeed(1)).then(() => 'answered', (error: unknown) => `failed: ${String(error)}`);
    for (let i = 0; i < 400 && t.server.predictor.inFlight < 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(t.server.predictor.inFlight, 1, 'the stuck call is in flight');
    const started = Date.now();
    await t.stop();
    const tookMs = Date.now() - started;
    // The stuck run blocks for a minute: a stop that waited for it would take that long.
    assert.ok(tookMs < 20_000, `stop took ${tookMs} ms with a ${GRACE_MS} ms grace period: it waited for the stuck run`);
    assert.match(await stuck, /^failed/);
    assert.ok(t.logLines.some((line) => /did not finish within --shutdown_grace_ms \(1000 ms\): terminating them/.test(line)));
  });

  it('refuses a negative --shutdown_grace_ms', () => {
    assert.throws(() => loadServeConfig(['--shutdown_grace_ms=-5'], {}, 2), /--shutdown_grace_ms must be an integer >= 0 \(milliseconds\); got -5/);
  });
});
