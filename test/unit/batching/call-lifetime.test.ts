/**
 * Queued requests that carry a `CallLifetime` (core/call-lifetime.ts) instead of an AbortSignal:
 * the batcher drops them at their deadline with one timer for the whole queue, and when their
 * client goes away, and lets go of the lifetime once they leave the queue. FakeClock and
 * PuppetEngine: no sleeps; the test decides when time passes and when runs finish.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingEngine } from '../../../src/batching/batching-engine';
import { DEFAULT_BATCHING_OPTIONS, validateBatchingOptions } from '../../../src/batching/batching-options';
import type { CallLifetime } from '../../../src/core/call-lifetime';
import { Code, ServingError, cancelled } from '../../../src/core/errors';
import type { EngineRunOptions, EngineRunResult } from '../../../src/core/inference-engine';
import { FakeClock } from './fake-clock';
import { PuppetEngine, flush, puppetFeeds } from './puppet-engine';
import { track } from './settlement';

/** A lifetime on the fake clock: `deadlineMicros` (Infinity: none); `goAway()` plays the client leaving. */
class FakeLifetime implements CallLifetime {
  listener: ((reason: ServingError) => void) | undefined;
  constructor(private readonly clock: FakeClock, private readonly deadlineMicros = Number.POSITIVE_INFINITY) {}
  remainingMs(): number {
    return (this.deadlineMicros - this.clock.nowMicros()) / 1000;
  }
  onClientGone(listener: ((reason: ServingError) => void) | undefined): void {
    this.listener = listener;
  }
  goAway(): void {
    this.listener?.(cancelled('the client cancelled the call'));
  }
}

/** A context whose `signal` must never be read: reading it fails the test. */
function lifetimeOnly(lifetime: CallLifetime): EngineRunOptions {
  return {
    lifetime,
    get signal(): AbortSignal {
      throw new Error('the signal was read although a lifetime was given');
    },
  };
}

function setup() {
  const puppet = new PuppetEngine();
  const clock = new FakeClock();
  const drops: Code[] = [];
  const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1 });
  const engine = BatchingEngine.create({
    inner: puppet, batching, name: 'ctr', clock,
    observer: { batchExecuted: () => undefined, requestDropped: (code) => drops.push(code) },
  });
  const request = (rows: number, firstId: number, lifetime?: CallLifetime): Promise<EngineRunResult> =>
    engine.run(puppetFeeds(rows, firstId), ['y', 'id_out'], lifetime === undefined ? {} : lifetimeOnly(lifetime));
  return { engine, puppet, clock, drops, request };
}


const codeOf = (error: unknown) => (error instanceof ServingError ? Code[error.code] : String(error));

describe('batcher with call lifetimes', () => {
  it('drops each queued request at its own deadline, earliest first, with one timer for the queue, and never runs them', async () => {
    const s = setup();
    const first = s.request(1, 0);
    const late = track(s.request(1, 1, new FakeLifetime(s.clock, 8000)));
    const early = track(s.request(1, 2, new FakeLifetime(s.clock, 3000)));
    const middle = track(s.request(1, 3, new FakeLifetime(s.clock, 5000)));
    const none = track(s.request(1, 4, new FakeLifetime(s.clock)));
    assert.equal(s.clock.pendingTimers, 1, 'one deadline timer serves every queued request');
    s.clock.advance(2999);
    await flush();
    assert.deepEqual([late, early, middle].map((t) => t.settled()), ['pending', 'pending', 'pending']);
    s.clock.advance(2);
    await flush();
    assert.equal(early.settled(), 'rejected');
    assert.equal(codeOf(early.error()), 'DEADLINE_EXCEEDED');
    assert.match((early.error() as ServingError).rawMessage, /^deadline expired after 3\.0 ms in the queue for model "ctr", before the request reached a worker$/);
    assert.equal(middle.settled(), 'pending');
    s.clock.advance(2000);
    await flush();
    assert.equal(codeOf(middle.error()), 'DEADLINE_EXCEEDED');
    assert.equal(late.settled(), 'pending');
    s.clock.advance(3000);
    await flush();
    assert.equal(codeOf(late.error()), 'DEADLINE_EXCEEDED');
    assert.deepEqual(s.drops.map((c) => Code[c]), ['DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED']);
    assert.equal(s.clock.pendingTimers, 0, 'nothing left with a deadline: no timer');
    await s.puppet.runPending(1);
    await first;
    await s.puppet.runPending(1);
    assert.equal(none.settled(), 'fulfilled', 'a request without a deadline waits and runs');
    assert.deepEqual(s.puppet.executedBatchRows, [1, 1], 'the expired requests never ran');
  });

  it('drops a queued request when its client goes away (CANCELLED), and lets go of its lifetime', async () => {
    const s = setup();
    const first = s.request(1, 0);
    const lifetime = new FakeLifetime(s.clock, 60_000_000);
    const queued = track(s.request(2, 1, lifetime));
    assert.ok(lifetime.listener !== undefined, 'the batcher listens while the request is queued');
    lifetime.goAway();
    await flush();
    assert.equal(codeOf(queued.error()), 'CANCELLED');
    assert.deepEqual(s.drops.map((c) => Code[c]), ['CANCELLED']);
    assert.equal(lifetime.listener, undefined, 'the listener is cleared once the request left the queue');
    assert.equal(s.engine.queuedRequests(), 0);
    await s.puppet.runPending();
    await first;
    assert.deepEqual(s.puppet.executedBatchRows, [1]);
  });

  it('stops listening once a request is taken into a batch: a client leaving later does not drop a running request', async () => {
    const s = setup();
    const first = s.request(1, 0);
    const lifetime = new FakeLifetime(s.clock, 60_000_000);
    const queued = track(s.request(2, 1, lifetime));
    await s.puppet.runPending(1);
    await first;
    assert.equal(s.puppet.pending.length, 1, 'the queued request is running now');
    assert.equal(lifetime.listener, undefined);
    lifetime.goAway();
    await s.puppet.runPending();
    assert.equal(queued.settled(), 'fulfilled');
    assert.deepEqual(s.drops, []);
  });

  it('refuses a request whose deadline has already passed at arrival, counted as a drop', async () => {
    const s = setup();
    const first = s.request(1, 0);
    s.clock.advance(5000);
    const expired = track(s.request(1, 1, new FakeLifetime(s.clock, 4000)));
    await flush();
    assert.equal(codeOf(expired.error()), 'DEADLINE_EXCEEDED');
    assert.deepEqual(s.drops.map((c) => Code[c]), ['DEADLINE_EXCEEDED']);
    assert.equal(s.engine.queuedRequests(), 0);
    await s.puppet.runPending();
    await first;
  });

  it('re-arms its one timer when a request with an earlier deadline arrives, and leaves no timer after close', async () => {
    const s = setup();
    const first = s.request(1, 0);
    const slow = track(s.request(1, 1, new FakeLifetime(s.clock, 50_000)));
    const urgent = track(s.request(1, 2, new FakeLifetime(s.clock, 1000)));
    assert.equal(s.clock.pendingTimers, 1);
    s.clock.advance(1001);
    await flush();
    assert.equal(codeOf(urgent.error()), 'DEADLINE_EXCEEDED', 'the earlier deadline is honoured although it arrived second');
    assert.equal(slow.settled(), 'pending');
    const closing = s.engine.close();
    await s.puppet.runPending(1);
    await first;
    await s.puppet.runPending(1);
    await closing;
    assert.equal(slow.settled(), 'fulfilled', 'close lets queued requests finish');
    assert.equal(s.clock.pendingTimers, 0, 'no deadline timer survives close');
  });
});
