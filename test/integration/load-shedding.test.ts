/**
 * --shed_loop_lag_ms: while the event loop is further behind than the threshold, a new request is
 * refused at once with UNAVAILABLE naming the lag and the flag (gRPC Predict on the fast route
 * and Paddle HTTP alike), counted in ctr_requests_shed_total; once the loop has caught up,
 * requests are served again. Off by default. The loop is held busy deterministically by this
 * process (the test server shares it).
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Code, ServingError } from '../../src/core/errors';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { LoopLagShedder } from '../../src/net/loop-lag-shedder';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

const servers: TestServer[] = [];
after(async () => Promise.all(servers.map((s) => s.stop())));

function holdLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the event loop is busy */ }
}

async function servedAgain(t: TestServer): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await t.client.predict(criteoFeed(2));
      return;
    } catch (error) {
      if (!(error instanceof ServingError) || error.code !== Code.UNAVAILABLE) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  assert.fail('requests were still refused after 2 s');
}

describe('load shedding on event-loop lag', () => {
  it('refuses with UNAVAILABLE while the loop is behind, counts it, and serves again once it caught up', async () => {
    const t = await startTestServer({ flags: ['--shed_loop_lag_ms', '20'] });
    servers.push(t);
    await servedAgain(t); // on a busy machine the loop may lag past 20 ms on its own just after start-up
    const call = t.client.predict(criteoFeed(2));
    holdLoop(200);
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(error.code, Code.UNAVAILABLE);
      assert.match(error.rawMessage, /server overloaded: its event loop is \d+\.\d ms behind \(--shed_loop_lag_ms=20\); retry later/);
      return true;
    });
    await servedAgain(t);
    const samples = parsePrometheusText(await t.server.ops.metrics.registry.metrics());
    assert.ok(sampleValue(samples, 'ctr_requests_shed_total') >= 1);
  });

  it('is off by default: a request after a stalled loop is served', async () => {
    const t = await startTestServer();
    servers.push(t);
    await servedAgain(t); // on a busy machine the loop may lag past 20 ms on its own just after start-up
    const call = t.client.predict(criteoFeed(2));
    holdLoop(200);
    const result = await call;
    assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [2, 1]);
  });

  it('measures the lag of the loop it runs on', async () => {
    const shedder = LoopLagShedder.start(10, 5);
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      holdLoop(60);
      assert.ok(shedder.lagMs() >= 40, `lag ${shedder.lagMs()} ms after a 60 ms stall`);
      assert.ok(shedder.refusal() instanceof ServingError);
      assert.equal(shedder.shed, 1);
      assert.throws(() => LoopLagShedder.start(0), /must be > 0 ms/);
    } finally {
      shedder.stop();
    }
  });
});
