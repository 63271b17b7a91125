/**
 * BatchingEngine settles every caller whatever happens around the inner run (a throwing metrics
 * observer included), and requests that cannot share a run do not queue behind each other inside
 * one slot.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingEngine } from '../../../src/batching/batching-engine';
import { DEFAULT_BATCHING_OPTIONS, validateBatchingOptions } from '../../../src/batching/batching-options';
import type { HostTensor } from '../../../src/core/tensor';
import { FakeClock } from './fake-clock';
import { PuppetEngine, flush, puppetFeeds } from './puppet-engine';

/** `rows` rows whose x has `width` columns (a different row shape for each width). */
function wideFeeds(rows: number, width: number): Record<string, HostTensor> {
  return { x: { dtype: 'float32', dims: [rows, width], data: new Float32Array(rows * width) } };
}

describe('BatchingEngine settles every caller', () => {
  it('a throwing observer.batchExecuted does not leave the callers of that run waiting', {
  }, async () => {
    const puppet = new PuppetEngine();
    const engine = BatchingEngine.create({
      inner: puppet, name: 'ctr', clock: new FakeClock(),
      batching: validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 1 }),
      observer: { batchExecuted: () => { throw new Error('metrics exploded'); }, requestDropped: () => undefined },
    });
    let settled = false;
    const call = engine.run(puppetFeeds(2, 0), ['y']).then(() => { settled = true; }, () => { settled = true; });
    await flush();
    await puppet.runPending();
    for (let i = 0; i < 5 && !settled; i++) await flush();
    assert.equal(settled, true, 'the caller was settled');
    await call;
  });

  it('requests of different row shapes queued together run in separate slots, not one after another', {
  }, async () => {
    const puppet = new PuppetEngine();
    const engine = BatchingEngine.create({
      inner: puppet, name: 'ctr', clock: new FakeClock(),
      batching: validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 8, maxQueueSize: 16, maxRunsInFlight: 2 }),
    });
    const busy = [engine.run(wideFeeds(1, 2), ['y']), engine.run(wideFeeds(1, 2), ['y'])];
    await flush();
    assert.equal(puppet.pending.length, 2, 'both slots busy');
    const queued = [engine.run(wideFeeds(1, 2), ['y']), engine.run(wideFeeds(1, 3), ['y'])];
    await puppet.runPending(2);
    await flush();
    assert.equal(puppet.pending.length, 2, 'the two shapes run at once, one per free slot');
    await puppet.runPending();
    await Promise.all([...busy, ...queued]);
  });

  it('merges requests whose feeds match in any order, never ones with a feed more or less or another dtype', async () => {
    const puppet = new PuppetEngine();
    const engine = BatchingEngine.create({
      inner: puppet, name: 'ctr', clock: new FakeClock(),
      batching: validateBatchingOptions({ ...DEFAULT_BATCHING_OPTIONS, maxBatchSize: 64, maxQueueSize: 16, maxRunsInFlight: 1 }),
    });
    const base = wideFeeds(1, 2).x;
    const busy = engine.run({ x: base }, ['y']);
    await flush();
    const id: HostTensor = { dtype: 'int64', dims: [1, 1], data: new BigInt64Array(1) };
    const queued = [
      engine.run({ x: base, id }, ['y']),
      engine.run({ id, x: base }, ['y']),
      engine.run({ x: base, id: { ...id, dtype: 'int32', data: new Int32Array(1) } }, ['y']),
      engine.run({ x: base }, ['y']),
      engine.run({ x: base, id, z: id }, ['y']),
    ];
    for (let i = 0; i < 5; i++) {
      await puppet.runPending(1);
      await flush();
    }
    assert.deepEqual(puppet.executedBatchRows, [1, 2, 1, 1, 1], 'only the two {x, id} requests share a run');
    await puppet.runPending();
    await Promise.all([busy, ...queued]);
  });
});
