/**
 * The batcher's queue-policy timeout (`maxQueueTimeMicros`, Triton's default_timeout_microseconds
 * with REJECT), driven by a FakeClock and a PuppetEngine: no sleeps; the test decides when time
 * passes and when runs finish.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingEngine } from '../../../src/batching/batching-engine';
import { DEFAULT_BATCHING_OPTIONS, validateBatchingOptions, type BatchingOptions } from '../../../src/batching/batching-options';
import { Code, ServingError } from '../../../src/core/errors';
import type { EngineRunResult } from '../../../src/core/inference-engine';
import { FakeClock } from './fake-clock';
import { PuppetEngine, flush, puppetFeeds } from './puppet-engine';
import { track } from './settlement';

function setup(overrides: Partial<BatchingOptions> = {}) {
  const puppet = new PuppetEngine();
  const clock = new FakeClock();
  const drops: Code[] = [];
  const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1, ...overrides });
  const engine = BatchingEngine.create({
    inner: puppet, batching, name: 'ctr', clock,
    observer: { batchExecuted: () => undefined, requestDropped: (code) => drops.push(code) },
  });
  const request = (rows: number, firstId: number): Promise<EngineRunResult> => engine.run(puppetFeeds(rows, firstId), ['y', 'id_out']);
  return { engine, puppet, clock, drops, request };
}


describe('batcher queue-policy timeout (maxQueueTimeMicros)', () => {
  it('is off by default: a queued request waits as long as the slot is busy', async () => {
    const s = setup();
    const first = s.request(1, 0);
    const queued = track(s.request(1, 1));
    s.clock.advance(60_000_000);
    await flush();
    assert.equal(queued.settled(), 'pending');
    assert.equal(s.clock.pendingTimers, 0, 'no expiry timer when the limit is off');
    await s.puppet.runPending(1);
    await s.puppet.runPending(1);
    await first;
    assert.equal(queued.settled(), 'fulfilled');
    assert.deepEqual(s.drops, []);
  });

  it('rejects a request that waited MORE than the limit with UNAVAILABLE naming both, and never runs it', async () => {
    const s = setup({ maxQueueTimeMicros: 1000 });
    const first = s.request(2, 0);
    const queued = track(s.request(3, 10));
    s.clock.advance(1000);
    await flush();
    assert.equal(queued.settled(), 'pending', 'exactly the limit is still allowed');
    s.clock.advance(1);
    await flush();
    assert.equal(queued.settled(), 'rejected');
    const error = queued.error();
    assert.ok(error instanceof ServingError);
    assert.equal(Code[error.code], 'UNAVAILABLE');
    assert.equal(error.rawMessage, 'request waited 1001 µs in the queue for model "ctr" (max_queue_time_micros=1000); retry later');
    assert.deepEqual(s.drops.map((c) => Code[c]), ['UNAVAILABLE'], 'counted as a drop');
    assert.equal(s.engine.queuedRequests(), 0);
    assert.equal(s.engine.pendingRequests(), 1, 'only the running request is left');
    assert.equal(s.clock.pendingTimers, 0, 'the expiry timer is gone with the queue');
    await s.puppet.runPending();
    await first;
    assert.deepEqual(s.puppet.executedBatchRows, [2], 'the expired request never reached the engine');
  });

  it('expires only the requests over the limit (a FIFO prefix); the younger ones run when the slot frees', async () => {
    const s = setup({ maxQueueTimeMicros: 1000 });
    const first = s.request(1, 0);
    const old = track(s.request(1, 1));
    s.clock.advance(600);
    const young = s.request(2, 2);
    s.clock.advance(401); // old: 1001 µs, young: 401 µs
    await flush();
    assert.equal(old.settled(), 'rejected');
    assert.equal(s.engine.queuedRequests(), 1);
    await s.puppet.runPending(1);
    assert.deepEqual(s.puppet.executedBatchRows, [1, 2]);
    await s.puppet.runPending(1);
    await first;
    const result = await young;
    assert.equal(result.queueMicros, 401, 'ran after 401 µs in the queue, under the limit');
    assert.deepEqual(s.drops.map((c) => Code[c]), ['UNAVAILABLE']);
  });

  it('re-arms for the next oldest request, so each one expires at its own limit', async () => {
    const s = setup({ maxQueueTimeMicros: 1000 });
    void s.request(1, 0);
    const a = track(s.request(1, 1));
    s.clock.advance(300);
    const b = track(s.request(1, 2));
    s.clock.advance(701);
    await flush();
    assert.deepEqual([a.settled(), b.settled()], ['rejected', 'pending']);
    s.clock.advance(299);
    await flush();
    assert.equal(b.settled(), 'pending', 'b has waited exactly 1000 µs');
    s.clock.advance(1);
    await flush();
    assert.equal(b.settled(), 'rejected');
    assert.match((b.error() as ServingError).rawMessage, /^request waited 1001 µs/);
    assert.equal(s.drops.length, 2);
    await s.puppet.runPending();
  });

  it('lets a queue delay shorter than the limit form batches as before', async () => {
    const s = setup({ maxQueueDelayMicros: 1000, maxQueueTimeMicros: 5000, maxBatchSize: 4 });
    const a = s.request(1, 0);
    const b = s.request(1, 1);
    s.clock.advance(1000);
    assert.deepEqual(s.puppet.executedBatchRows, [2], 'the delay fired first and both ran together');
    await s.puppet.runPending();
    await Promise.all([a, b]);
    assert.deepEqual(s.drops, []);
    assert.equal(s.clock.pendingTimers, 0);
  });

  it('a request over the limit while the server drains is answered, and close() still resolves', async () => {
    const s = setup({ maxQueueTimeMicros: 1000 });
    const first = s.request(1, 0);
    const queued = track(s.request(1, 1));
    const closed = track(s.engine.close());
    s.clock.advance(1001);
    await flush();
    assert.equal(queued.settled(), 'rejected');
    assert.equal(closed.settled(), 'pending', 'the running request still holds the drain');
    await s.puppet.runPending();
    await first;
    await flush();
    assert.equal(closed.settled(), 'fulfilled');
  });

  it('validates the option: an integer >= 0, and larger than the queue delay when on', () => {
    const base: BatchingOptions = { ...DEFAULT_BATCHING_OPTIONS, maxRunsInFlight: 1 };
    assert.equal(DEFAULT_BATCHING_OPTIONS.maxQueueTimeMicros, 0, 'off by default');
    assert.throws(() => validateBatchingOptions({ ...base, maxQueueTimeMicros: -1 }), /maxQueueTimeMicros must be an integer >= 0; got -1/);
    assert.throws(() => validateBatchingOptions({ ...base, maxQueueTimeMicros: 1.5 }), /maxQueueTimeMicros must be an integer >= 0; got 1.5/);
    assert.throws(() => validateBatchingOptions({ ...base, maxQueueDelayMicros: 2000, maxQueueTimeMicros: 2000 }),
      /maxQueueTimeMicros \(2000\) must be 0 \(off\) or larger than maxQueueDelayMicros \(2000\)/);
    assert.equal(validateBatchingOptions({ ...base, maxQueueDelayMicros: 2000, maxQueueTimeMicros: 2001 }).maxQueueTimeMicros, 2001);
  });

  it('refuses at arrival a request the measured backlog would hold past the limit, and queues one it would not', async () => {
    const s = setup({ maxQueueTimeMicros: 1000 });
    const first = s.request(8, 0); // runs at once
    const queued = [s.request(8, 10)];
    s.clock.advance(400);
    await s.puppet.runPending(1); // a completion with a backlog behind it: the measurement starts here
    queued.push(s.request(8, 20), s.request(8, 30));
    s.clock.advance(400);
    await s.puppet.runPending(1); // 8 rows drained in 400 µs: 0.02 rows/µs, 20,000 rows/s
    assert.equal(s.engine.queuedRequests(), 1, 'one 8-row request queued behind the running one');
    const within = track(s.request(8, 40)); // (8 + 8) rows / 0.02 = 800 µs <= 1000
    let refused: unknown;
    try {
      await s.request(8, 50); // (16 + 8) rows / 0.02 = 1200 µs > 1000
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof ServingError, 'refused synchronously with the arrival, not after the limit');
    assert.equal(Code[refused.code], 'UNAVAILABLE');
    assert.equal(refused.rawMessage, 'queue for model "ctr" holds 16 rows, about 1200 µs of work at the measured 20000 rows/s, more than max_queue_time_micros=1000; retry later');
    assert.equal(s.engine.queuedRequests(), 2, 'the refused request was never queued');
    assert.equal(within.settled(), 'pending');
    await s.puppet.runPending(1);
    await s.puppet.runPending(1);
    await s.puppet.runPending(1);
    await Promise.all([first, ...queued]);
    await flush();
    assert.equal(within.settled(), 'fulfilled', 'the request predicted within the limit ran');
    assert.deepEqual(s.puppet.executedBatchRows, [8, 8, 8, 8, 8]);
  });

  it('refuses nothing at arrival before a drain rate is measured, nor with the limit off', async () => {
    for (const maxQueueTimeMicros of [1000, 0]) {
      const s = setup({ maxQueueTimeMicros, maxQueueSize: 64 });
      const running = s.request(8, 0);
      const queued = Array.from({ length: 20 }, (_, i) => track(s.request(8, 10 * (i + 1))));
      assert.equal(s.engine.queuedRequests(), 20, `limit ${maxQueueTimeMicros}: all 20 queued while nothing was measured`);
      if (maxQueueTimeMicros === 0) {
        s.clock.advance(400);
        await s.puppet.runPending(1);
        s.clock.advance(400);
        await s.puppet.runPending(1);
        const extra = track(s.request(8, 500));
        await flush();
        assert.notEqual(extra.settled(), 'rejected', 'the limit is off: no refusal at arrival');
        assert.equal(s.engine.queuedRequests(), 19, 'queued behind the 18 still waiting');
        while (s.engine.pendingRequests() > 0) await s.puppet.runPending();
        await flush();
        assert.equal(extra.settled(), 'fulfilled');
      } else {
        s.clock.advance(1001);
        await flush();
        assert.ok(queued.every((q) => q.settled() === 'rejected'), 'they expire at the limit instead');
      }
      await s.puppet.runPending();
      await running;
    }
  });
});
