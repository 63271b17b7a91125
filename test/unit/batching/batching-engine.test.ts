/**
 * BatchingEngine + BasicBatchScheduler with a FakeClock and a PuppetEngine: no sleeps, every
 * batch boundary decided by the test.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingEngine, type BatchExecution } from '../../../src/batching/batching-engine';
import { DEFAULT_BATCHING_OPTIONS, validateBatchingOptions, type BatchingOptions } from '../../../src/batching/batching-options';
import { Code, ServingError, cancelled, deadlineExceeded } from '../../../src/core/errors';
import type { EngineDescription, EngineRunResult } from '../../../src/core/inference-engine';
import type { HostTensor } from '../../../src/core/tensor';
import { FakeClock } from './fake-clock';
import { PuppetEngine, puppetFeeds } from './puppet-engine';
import { QUIET_AFTER_LOAD_MICROS } from '../../../src/batching/inline-gate';
import { TURN_END_AFTER_CONCURRENCY_MICROS } from '../../../src/batching/basic-batch-scheduler';

interface Setup {
  engine: BatchingEngine;
  puppet: PuppetEngine;
  clock: FakeClock;
  executions: BatchExecution[];
  drops: Code[];
}

function setup(overrides: Partial<BatchingOptions> = {}, clock = new FakeClock(), uniformRowShapes = false): Setup {
  const puppet = new PuppetEngine();
  const executions: BatchExecution[] = [];
  const drops: Code[] = [];
  const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1, ...overrides });
  const engine = BatchingEngine.create({
    inner: puppet, batching, name: 'ctr', clock, uniformRowShapes,
    observer: { batchExecuted: (e) => executions.push(e), requestDropped: (code) => drops.push(code) },
  });
  return { engine, puppet, clock, executions, drops };
}

function request(s: Setup, rows: number, firstId: number, signal?: AbortSignal): Promise<EngineRunResult> {
  return s.engine.run(puppetFeeds(rows, firstId), ['y', 'id_out'], { signal });
}

function assertOwnRows(result: EngineRunResult, rows: number, firstId: number): void {
  const ids = Array.from(result.outputs.id_out.data as BigInt64Array, Number);
  assert.deepEqual(ids, Array.from({ length: rows }, (_, r) => firstId + r));
  assert.deepEqual(result.outputs.y.dims, [rows, 2]);
  const y = result.outputs.y.data as Float32Array;
  for (let r = 0; r < rows; r++) {
    assert.equal(y[2 * r], 2 * (firstId + r));
    assert.equal(y[2 * r + 1], 2 * (firstId + r + 0.5));
  }
}

async function expectCode(promise: Promise<unknown>, code: Code, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServingError, String(error));
    assert.equal(Code[error.code], Code[code]);
    assert.match(error.rawMessage, message);
    return true;
  });
}

describe('BatchingEngine', () => {
  it('runs a lone request at once with its own feeds and no timer', async () => {
    const s = setup();
    const feeds = puppetFeeds(3, 100);
    const done = s.engine.run(feeds, ['y', 'id_out']);
    assert.equal(s.puppet.pending.length, 1);
    assert.equal(s.puppet.pending[0].feeds, feeds, 'no copy on the fast path');
    assert.notEqual(s.puppet.pending[0].options?.feedsMovable, true, 'a lone request\'s feeds stay the caller\'s');
    assert.equal(s.clock.pendingTimers, 0);
    await s.puppet.runPending();
    assertOwnRows(await done, 3, 100);
    assert.deepEqual(s.executions.map((e) => [e.rows, e.requests]), [[3, 1]]);
  });

  it('passes a lone request\'s feeds on as movable only when its caller gave them up', async () => {
    const s = setup();
    const given = s.engine.run(puppetFeeds(2, 10), ['y', 'id_out'], { feedsMovable: true });
    assert.equal(s.puppet.pending[0].options?.feedsMovable, true);
    await s.puppet.runPending();
    assertOwnRows(await given, 2, 10);
    const kept = s.engine.run(puppetFeeds(2, 20), ['y', 'id_out'], { feedsMovable: false });
    assert.notEqual(s.puppet.pending[0].options?.feedsMovable, true);
    await s.puppet.runPending();
    assertOwnRows(await kept, 2, 20);
  });

  /** Two requests, the second arriving while the first runs: the batcher has seen concurrency. */
  async function concurrentPair(s: Setup): Promise<void> {
    const calls = [request(s, 1, 900), request(s, 1, 901)];
    while (s.puppet.pending.length > 0 || s.engine.queuedRequests() > 0) {
      s.clock.endTurn();
      await s.puppet.runPending();
    }
    await Promise.all(calls);
    s.puppet.executedBatchRows.length = 0;
  }

  it('after requests arrived concurrently, starts a free slot at the end of the event-loop turn with every request read in it; after a quiet spell, at once', async () => {
    const s = setup({ maxBatchSize: 64, maxRunsInFlight: 1 }, new FakeClock({ manualTurns: true }));
    const lone = request(s, 5, 0);
    assert.equal(s.puppet.pending.length, 1, 'no concurrency seen yet: a lone request starts at once');
    await s.puppet.runPending();
    assertOwnRows(await lone, 5, 0);
    await concurrentPair(s);
    const calls = [request(s, 5, 0), request(s, 5, 10), request(s, 2, 20)];
    assert.equal(s.puppet.pending.length, 0, 'nothing starts before the turn ends');
    s.clock.endTurn();
    assert.deepEqual(s.puppet.executedBatchRows, [12], 'the requests of one turn share one run');
    assert.equal(s.puppet.pending[0].options?.feedsMovable, true, 'merged feeds are the run\'s own: the engine may move them');
    const ids = s.puppet.pending[0].feeds.id.data;
    assert.equal(s.puppet.pending[0].feeds.x.data.buffer, ids.buffer, 'all merged feeds lie in one buffer');
    await s.puppet.runPending();
    const results = await Promise.all(calls);
    assertOwnRows(results[0], 5, 0);
    assertOwnRows(results[1], 5, 10);
    assertOwnRows(results[2], 2, 20);
    s.clock.advance(TURN_END_AFTER_CONCURRENCY_MICROS);
    const later = request(s, 5, 30);
    assert.equal(s.puppet.pending.length, 1, 'a quiet spell since the last concurrent arrival: at once again');
    await s.puppet.runPending();
    assertOwnRows(await later, 5, 30);
  });

  it('splits the requests of one turn over every free slot, each run taking its share of the rows', async () => {
    const s = setup({ maxBatchSize: 64, maxRunsInFlight: 2 }, new FakeClock({ manualTurns: true }));
    await concurrentPair(s);
    const calls = Array.from({ length: 8 }, (_, i) => request(s, 5, 10 * i));
    s.clock.endTurn();
    assert.deepEqual(s.puppet.executedBatchRows, [20, 20], 'two slots free: 40 queued rows run as 20 + 20 at once');
    await s.puppet.runPending();
    (await Promise.all(calls)).forEach((result, i) => assertOwnRows(result, 5, 10 * i));
    s.puppet.executedBatchRows.length = 0;
    const oddCalls = Array.from({ length: 3 }, (_, i) => request(s, 5, 10 * i));
    s.clock.endTurn();
    assert.deepEqual(s.puppet.executedBatchRows, [10, 5], 'a run takes tasks until it holds its share (ceil(15 / 2) = 8 rows)');
    await s.puppet.runPending();
    (await Promise.all(oddCalls)).forEach((result, i) => assertOwnRows(result, 5, 10 * i));
  });

  it('with no queue (maxQueueSize 0), requests that will take a free slot at the turn end are accepted, the rest refused', async () => {
    const s = setup({ maxBatchSize: 64, maxRunsInFlight: 2, maxQueueSize: 0 }, new FakeClock({ manualTurns: true }));
    await concurrentPair(s);
    const accepted = [request(s, 5, 0), request(s, 5, 10)];
    await expectCode(request(s, 5, 20), Code.UNAVAILABLE, /queue full for model "ctr" \(maxQueueSize=0\)/);
    s.clock.endTurn();
    assert.deepEqual(s.puppet.executedBatchRows, [5, 5], 'one request per free slot');
    await s.puppet.runPending();
    (await Promise.all(accepted)).forEach((result, i) => assertOwnRows(result, 5, 10 * i));
  });

  it('with batching off, a request starts at once, not at the end of the turn', async () => {
    const s = setup({ enabled: false, maxRunsInFlight: 2 }, new FakeClock({ manualTurns: true }));
    const done = request(s, 5, 0);
    assert.equal(s.puppet.pending.length, 1);
    await s.puppet.runPending();
    assertOwnRows(await done, 5, 0);
  });

  it('merges requests queued while every slot is busy, FIFO, and gives each caller its rows', async () => {
    const s = setup({ maxBatchSize: 8 });
    const first = request(s, 2, 0);
    const queued = [request(s, 3, 10), request(s, 1, 20), request(s, 4, 30), request(s, 2, 40)];
    assert.equal(s.engine.queuedRequests(), 4);
    assert.equal(s.engine.pendingRequests(), 5);
    await s.puppet.runPending(1);
    // 3 + 1 + 4 = 8 rows fit; the 2-row request waits for the next slot.
    assert.deepEqual(s.puppet.executedBatchRows, [2, 8]);
    await s.puppet.runPending(1);
    assert.deepEqual(s.puppet.executedBatchRows, [2, 8, 2]);
    await s.puppet.runPending(1);
    assertOwnRows(await first, 2, 0);
    const results = await Promise.all(queued);
    [[3, 10], [1, 20], [4, 30], [2, 40]].forEach(([rows, id], i) => assertOwnRows(results[i], rows, id));
    assert.deepEqual(s.executions.map((e) => e.requests), [1, 3, 1]);
    assert.ok(s.executions[1].computeInputMicros > 0 && s.executions[1].computeOutputMicros > 0, 'the merged run reports its merge and split time');
    assert.equal(s.engine.pendingRequests(), 0);
  });

  it('with uniform row shapes merges requests without comparing their feeds, and compares them otherwise', async () => {
    for (const uniformRowShapes of [true, false]) {
      const s = setup({ maxBatchSize: 64, maxRunsInFlight: 1 }, new FakeClock(), uniformRowShapes);
      const first = request(s, 2, 0);
      // Feeds a comparison would tell apart (an extra name): only the comparison keeps them apart.
      const extra = { ...puppetFeeds(3, 20), extra: { dtype: 'float32' as const, dims: [3], data: new Float32Array(3) } };
      const calls = [s.engine.run(puppetFeeds(3, 10), ['y', 'id_out']), s.engine.run(extra, ['y', 'id_out'])];
      await s.puppet.runPending();
      await first;
      while (s.puppet.pending.length > 0) await s.puppet.runPending();
      const results = await Promise.all(calls);
      assertOwnRows(results[0], 3, 10);
      assertOwnRows(results[1], 3, 20);
      assert.deepEqual(s.puppet.executedBatchRows, uniformRowShapes ? [2, 6] : [2, 3, 3], `uniformRowShapes ${uniformRowShapes}`);
    }
  });

  it('reports queue time from the injected clock', async () => {
    const s = setup();
    const first = request(s, 1, 0);
    const second = request(s, 1, 1);
    s.clock.advance(750);
    await s.puppet.runPending(1);
    await s.puppet.runPending(1);
    assert.equal((await first).queueMicros, 0);
    assert.equal((await second).queueMicros, 750);
  });

  it('prefers a preferred batch size when queued requests can form it', async () => {
    const s = setup({ maxBatchSize: 16, preferredBatchSizes: [4] });
    const all = [request(s, 1, 0), request(s, 2, 10), request(s, 2, 20), request(s, 3, 30)];
    await s.puppet.runPending(1);
    assert.deepEqual(s.puppet.executedBatchRows, [1, 4]);
    await s.puppet.runPending();
    await s.puppet.runPending();
    assert.deepEqual(s.puppet.executedBatchRows, [1, 4, 3]);
    await Promise.all(all);
  });

  it('with a queue delay, a free slot waits for company until the delay or a full batch', async () => {
    const s = setup({ maxBatchSize: 4, maxQueueDelayMicros: 1000 });
    const a = request(s, 1, 0);
    assert.equal(s.puppet.pending.length, 0, 'waits for more requests');
    s.clock.advance(999);
    assert.equal(s.puppet.pending.length, 0);
    const b = request(s, 1, 1);
    s.clock.advance(1);
    assert.deepEqual(s.puppet.executedBatchRows, [2], 'the oldest request waited the full delay');
    await s.puppet.runPending();
    const c = request(s, 2, 2);
    const d = request(s, 2, 4);
    assert.deepEqual(s.puppet.executedBatchRows, [2, 4], 'a full batch runs without waiting');
    assert.equal(s.clock.pendingTimers, 0);
    await s.puppet.runPending();
    await Promise.all([a, b, c, d]);
  });

  it('with a queue delay and several free slots, the batch it waited for runs whole, not split over the slots', async () => {
    const s = setup({ maxBatchSize: 4, maxQueueDelayMicros: 1000, maxRunsInFlight: 2 });
    const calls = [request(s, 1, 0), request(s, 1, 1), request(s, 1, 2)];
    s.clock.advance(1000);
    assert.deepEqual(s.puppet.executedBatchRows, [3], 'one run of the three requests');
    await s.puppet.runPending();
    await Promise.all(calls);
  });

  it('splits a request larger than the max batch and reassembles it in order', async () => {
    const s = setup({ maxBatchSize: 4, maxRunsInFlight: 2 });
    const big = request(s, 10, 1000);
    assert.deepEqual(s.puppet.executedBatchRows, [4, 4]);
    await s.puppet.runPending();
    assert.deepEqual(s.puppet.executedBatchRows, [4, 4, 2]);
    await s.puppet.runPending();
    assertOwnRows(await big, 10, 1000);
  });

  it('refuses at once with UNAVAILABLE naming the limit when the queue is full', async () => {
    const s = setup({ maxQueueSize: 2 });
    const accepted = [request(s, 1, 0), request(s, 1, 1), request(s, 1, 2)];
    await expectCode(request(s, 1, 3), Code.UNAVAILABLE, /^queue full for model "ctr" \(maxQueueSize=2\); retry later$/);
    await expectCode(request(s, 20, 3), Code.UNAVAILABLE, /maxQueueSize=2; this request needs 3 runs/);
    assert.deepEqual(s.puppet.executedBatchRows, [1]);
    await s.puppet.runPending();
    await s.puppet.runPending();
    await Promise.all(accepted);
  });

  it('drops queued requests whose deadline passed or whose caller cancelled, and counts them', async () => {
    const s = setup();
    const first = request(s, 1, 0);
    const deadline = new AbortController();
    const cancel = new AbortController();
    const late = request(s, 1, 1, deadline.signal);
    const gone = request(s, 1, 2, cancel.signal);
    const kept = request(s, 1, 3);
    deadline.abort(deadlineExceeded('deadline expired after 12.0 ms in the server'));
    cancel.abort(cancelled('the client cancelled the call'));
    await expectCode(late, Code.DEADLINE_EXCEEDED, /deadline expired after 12\.0 ms/);
    await expectCode(gone, Code.CANCELLED, /cancelled/);
    assert.equal(s.engine.queuedRequests(), 1);
    await s.puppet.runPending();
    await s.puppet.runPending();
    assertOwnRows(await kept, 1, 3);
    await first;
    assert.deepEqual(s.puppet.executedBatchRows, [1, 1], 'dropped requests never reached the engine');
    assert.deepEqual(s.drops, [Code.DEADLINE_EXCEEDED, Code.CANCELLED]);
  });

  it('refuses a request whose signal already aborted without running it', async () => {
    const s = setup();
    const controller = new AbortController();
    controller.abort(deadlineExceeded('deadline expired after 0.0 ms in the server'));
    await expectCode(request(s, 1, 0, controller.signal), Code.DEADLINE_EXCEEDED, /deadline expired/);
    assert.deepEqual(s.puppet.executedBatchRows, []);
    assert.deepEqual(s.drops, [Code.DEADLINE_EXCEEDED]);
  });

  it('fails every request of a failed run with INTERNAL and keeps serving', async () => {
    const s = setup();
    const first = request(s, 1, 0);
    const merged = [request(s, 1, 1), request(s, 1, 2)];
    const checks = merged.map((promise) => expectCode(promise, Code.INTERNAL, /^internal error$/));
    await s.puppet.runPending(1);
    await s.puppet.failPending(1);
    await Promise.all(checks);
    await first;
    const after = request(s, 2, 5);
    await s.puppet.runPending();
    assertOwnRows(await after, 2, 5);
    assert.deepEqual(s.executions.map((e) => e.ok), [true, false, true]);
  });

  it('with batching off never merges, but still bounds the queue', async () => {
    const s = setup({ enabled: false, maxQueueSize: 2 });
    const all = [request(s, 3, 0), request(s, 3, 10), request(s, 3, 20)];
    await expectCode(request(s, 1, 3), Code.UNAVAILABLE, /maxQueueSize=2/);
    await s.puppet.runPending(1);
    await s.puppet.runPending(1);
    assert.deepEqual(s.puppet.executedBatchRows, [3, 3, 3]);
    await s.puppet.runPending();
    await Promise.all(all);
  });

  it('close() refuses new requests, drains queued ones, then closes the inner engine', async () => {
    const s = setup();
    const running = request(s, 1, 0);
    const queued = request(s, 2, 1);
    const closing = s.engine.close();
    await expectCode(request(s, 1, 9), Code.UNAVAILABLE, /server is stopping/);
    assert.equal(s.puppet.closed, false);
    await s.puppet.runPending();
    await s.puppet.runPending();
    await closing;
    assert.equal(s.puppet.closed, true);
    await running;
    assertOwnRows(await queued, 2, 1);
  });
});

describe('validateBatchingOptions', () => {
  const base: BatchingOptions = { ...DEFAULT_BATCHING_OPTIONS, maxRunsInFlight: 2 };
  it('lists every problem with the constraint and the actual value', () => {
    assert.throws(() => validateBatchingOptions({ ...base, maxBatchSize: 0 }), /maxBatchSize must be an integer >= 1; got 0/);
    assert.throws(() => validateBatchingOptions({ ...base, maxQueueDelayMicros: -1 }), /maxQueueDelayMicros must be an integer >= 0; got -1/);
    assert.throws(() => validateBatchingOptions({ ...base, maxRunsInFlight: 0, maxQueueSize: -2 }), /maxQueueSize must be an integer >= 0; got -2; maxRunsInFlight must be an integer >= 1; got 0/);
    assert.throws(() => validateBatchingOptions({ ...base, maxBatchSize: 8, preferredBatchSizes: [4, 16] }), /preferredBatchSizes must be integers in 1\.\.maxBatchSize \(8\); got 16/);
  });
  it('returns a frozen copy with preferred sizes sorted', () => {
    const valid = validateBatchingOptions({ ...base, preferredBatchSizes: [32, 8] });
    assert.deepEqual(valid.preferredBatchSizes, [8, 32]);
    assert.ok(Object.isFrozen(valid));
  });
});


describe('BatchingEngine with a main-thread (inline) engine', () => {
  /** An inline engine whose runs finish at once and report `computeMicros` (set by the test). */
  class TimedInlineEngine {
    computeMicros = 80;
    runs = 0;
    busy = false;
    async run(feeds: Record<string, HostTensor>): Promise<EngineRunResult> {
      this.runs++;
      const x = feeds.x;
      return { outputs: { y: { dtype: 'float32', dims: x.dims, data: (x.data as Float32Array).map((v) => v * 2) } }, queueMicros: 0, computeMicros: this.computeMicros };
    }
    describe(): EngineDescription {
      return { executionProviders: ['timed'], workers: 1, details: {} };
    }
    async close(): Promise<void> {}
  }

  it('after a slow main-thread run, lone worker runs bring requests back to the main thread', async () => {
    const puppet = new PuppetEngine(); // its runs report 100 µs
    const inline = new TimedInlineEngine();
    const clock = new FakeClock();
    const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1 });
    const engine = BatchingEngine.create({ inner: puppet, inline: { engine: inline, maxRows: 16 }, batching, name: 'ctr', clock });
    inline.computeMicros = 50_000; // the first run stalls (a GC pause, the thread descheduled)
    await engine.run(puppetFeeds(5, 0), ['y']);
    assert.equal(inline.runs, 1);
    inline.computeMicros = 80;
    let onWorkers = 0;
    for (let i = 1; i <= 40 && inline.runs === 1; i++) {
      clock.advance(1000); // one request in flight, 1 ms apart
      const done = engine.run(puppetFeeds(5, i), ['y']);
      if (puppet.pending.length > 0) {
        onWorkers++;
        await puppet.runPending();
      }
      await done;
    }
    assert.ok(onWorkers > 0, 'right after the stall the gate sends requests to the workers');
    assert.equal(inline.runs, 2, `requests return to the main thread (${onWorkers} went to the workers first)`);
  });

  it('after a main-thread run the event loop keeps polling for pollMicros; a worker run does not start it', async () => {
    const puppet = new PuppetEngine();
    const inline = new TimedInlineEngine();
    const clock = new FakeClock({ manualTurns: true });
    const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1 });
    const engine = BatchingEngine.create({ inner: puppet, inline: { engine: inline, maxRows: 16, pollMicros: 500 }, batching, name: 'ctr', clock });
    await engine.run(puppetFeeds(5, 0), ['y']);
    assert.equal(inline.runs, 1);
    clock.endTurn(); // the gate's end-of-turn release runs; the poller asks for the next turn
    assert.equal(clock.pendingTurnCallbacks, 1, 'polling after the main-thread run');
    clock.advance(400);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 1, 'still polling 400 µs later');
    clock.advance(200);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 0, 'the window closed 500 µs after the run');
    // A request too large for the main thread goes to a worker: no polling after it.
    const done = engine.run(puppetFeeds(32, 1), ['y']);
    clock.endTurn();
    while (puppet.pending.length > 0) await puppet.runPending();
    await done;
    clock.advance(10);
    clock.endTurn();
    assert.equal(clock.pendingTurnCallbacks, 0, 'no polling after a worker run');
    await engine.close();
  });

  it('after a wave of concurrent requests, lone ones stay on the workers for the quiet window, then return to the main thread', async () => {
    const puppet = new PuppetEngine();
    const inline = new TimedInlineEngine();
    const clock = new FakeClock();
    const batching = validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 64, maxQueueSize: 16, maxRunsInFlight: 2 });
    const engine = BatchingEngine.create({ inner: puppet, inline: { engine: inline, maxRows: 16 }, batching, name: 'ctr', clock });
    await engine.run(puppetFeeds(5, 0), ['y']);
    assert.equal(inline.runs, 1, 'a lone request on a quiet server runs on the main thread');
    await new Promise((resolve) => setImmediate(resolve)); // the event loop turns after the main-thread run
    // A closed loop of 8 clients: each wave arrives together, the first request finds the engine idle.
    for (let wave = 1; wave <= 3; wave++) {
      clock.advance(2000);
      const calls = Array.from({ length: 8 }, (_, i) => engine.run(puppetFeeds(5, wave * 10 + i), ['y']));
      while (puppet.pending.length > 0) await puppet.runPending();
      await Promise.all(calls);
    }
    assert.equal(inline.runs, 2, 'only the first wave\'s first request ran on the main thread: later waves keep theirs off it, so it batches with the rest');
    const placeLone = async (): Promise<'main' | 'worker'> => {
      const before = inline.runs;
      const done = engine.run(puppetFeeds(5, 99), ['y']);
      if (puppet.pending.length > 0) await puppet.runPending();
      await done;
      return inline.runs > before ? 'main' : 'worker';
    };
    clock.advance(QUIET_AFTER_LOAD_MICROS - 1000);
    assert.equal(await placeLone(), 'worker', 'within the quiet window after the last wave');
    clock.advance(1000);
    assert.equal(await placeLone(), 'main', 'a quiet window after the last busy arrival, lone requests run on the main thread again');
  });
});
