/**
 * Where runs are made: a lone small request on a quiet server runs on the main-thread session
 * (`ctr_engine_runs_total{thread="main"}`), concurrent load goes to the workers, requests over
 * --inline_max_rows and every request with --inline_max_rows 0 go to the workers, and both paths
 * give bit-identical scores. After a main-thread run the event loop keeps polling (busy, not asleep)
 * for --main_thread_poll_micros; with 0 it sleeps at once.
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { loadServeConfig } from '../../src/config/serve-config';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

const servers: TestServer[] = [];
after(async () => Promise.all(servers.map((s) => s.stop())));

async function runs(t: TestServer): Promise<{ main: number; worker: number }> {
  const samples = parsePrometheusText(await t.server.ops.metrics.registry.metrics());
  return { main: sampleValue(samples, 'ctr_engine_runs_total', { thread: 'main' }), worker: sampleValue(samples, 'ctr_engine_runs_total', { thread: 'worker' }) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('main-thread runs', () => {
  const fixture = makeTinyDeepFmDir();

  it('runs lone small requests on the main thread and larger ones on the workers', async () => {
    const t = await startTestServer({ modelDir: fixture.dir, flags: ['--inline_max_rows', '8'] });
    servers.push(t);
    const start = await runs(t);
    for (let i = 0; i < 3; i++) {
      await t.client.predict(criteoFeed(5, 1000, i + 1));
      await pause(20);
    }
    await t.client.predict(criteoFeed(9));
    const end = await runs(t);
    assert.equal(end.main - start.main, 3);
    assert.equal(end.worker - start.worker, 1, 'nine rows are over --inline_max_rows 8');
  });

  it('sends concurrent load to the workers', async () => {
    const t = await startTestServer({ modelDir: fixture.dir, flags: ['--thread', '2'] });
    servers.push(t);
    await t.client.predict(criteoFeed(5));
    const start = await runs(t);
    await Promise.all(Array.from({ length: 32 }, (_, i) => t.client.predict(criteoFeed(5, 1000, i + 1))));
    const end = await runs(t);
    assert.ok(end.worker - start.worker >= 1, `worker runs: ${end.worker - start.worker}`);
    assert.ok(end.main - start.main <= 2, `at most the first arrivals may run on the main thread; got ${end.main - start.main}`);
  });

  it('gives the same scores on both paths, and never runs on the main thread with --inline_max_rows 0', async () => {
    const inline = await startTestServer({ modelDir: fixture.dir });
    const workers = await startTestServer({ modelDir: fixture.dir, flags: ['--inline_max_rows', '0'] });
    servers.push(inline, workers);
    const feed = criteoFeed(5, 1000, 42);
    const a = await inline.client.predict(feed);
    const b = await workers.client.predict(feed);
    assert.equal((await runs(inline)).main >= 1, true);
    assert.equal((await runs(workers)).main, 0);
    const name = Object.keys(a.outputs)[0];
    assert.deepEqual([...(a.outputs[name].data as Float32Array)], [...(b.outputs[name].data as Float32Array)]);
  });
  it('keeps the event loop polling for --main_thread_poll_micros after a main-thread run, and sleeps with 0', async () => {
    const polling = await startTestServer({ modelDir: fixture.dir, flags: ['--main_thread_poll_micros', '200000'] });
    servers.push(polling);
    const sleeping = await startTestServer({ modelDir: fixture.dir, flags: ['--main_thread_poll_micros', '0'] });
    servers.push(sleeping);
    /** The share of 50 ms right after a lone call that this process's event loop spent busy. */
    const busyAfterCall = async (t: TestServer): Promise<number> => {
      const before = await runs(t);
      await t.client.predict(criteoFeed(5));
      assert.equal((await runs(t)).main - before.main, 1, 'the call ran on the main thread');
      const start = performance.eventLoopUtilization();
      await pause(50);
      return performance.eventLoopUtilization(start).utilization;
    };
    const busy = await busyAfterCall(polling);
    assert.ok(busy > 0.8, `event loop busy ${busy.toFixed(2)} of the 50 ms after the call: expected polling`);
    await pause(250); // the 200 ms window is over
    const idle = await busyAfterCall(sleeping);
    assert.ok(idle < 0.5, `event loop busy ${idle.toFixed(2)} of the 50 ms after the call: expected sleep`);
    assert.throws(() => loadServeConfig(['--main_thread_poll_micros', '-1'], {}, 2), /--main_thread_poll_micros must be an integer from 0 to 1000000; got -1/);
  });
});
