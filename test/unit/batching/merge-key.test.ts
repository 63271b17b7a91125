/**
 * BasicBatchScheduler with `canMerge`: a batch is the FIFO prefix of tasks that can merge with the
 * first task, so tasks that cannot share one run (different feed shapes) never run one after
 * another inside a single slot; `canMerge` is not asked for a lone task.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasicBatchScheduler, type ScheduledBatch } from '../../../src/batching/basic-batch-scheduler';
import { FakeClock } from './fake-clock';

interface KeyedTask { readonly size: number; readonly key: string; readonly name: string }

function setup(withKeys: boolean) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  let keyCalls = 0;
  const scheduler = BasicBatchScheduler.create<KeyedTask>({
    name: 'ctr', maxBatchSize: 64, maxQueueDelayMicros: 0, preferredBatchSizes: [], maxQueueSize: 16,
    maxRunsInFlight: 1, mergeTasks: true, clock: new FakeClock(),
    ...(withKeys ? { canMerge: (first: KeyedTask, next: KeyedTask) => { keyCalls++; return first.key === next.key; } } : {}),
    processBatch: (batch: ScheduledBatch<KeyedTask>) => {
      batches.push(batch.tasks.map((t) => t.name));
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    onDrop: () => undefined,
  });
  const release = async () => {
    releases.shift()!();
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, batches, release, keyCalls: () => keyCalls };
}

describe('BasicBatchScheduler canMerge', () => {
  it('merges only the FIFO prefix that shares the first task\'s key', async () => {
    const s = setup(true);
    s.scheduler.schedule({ size: 1, key: 'a', name: 'x' });
    assert.equal(s.keyCalls(), 0, 'a lone task asks nothing');
    for (const [name, key] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['a3', 'a']]) s.scheduler.schedule({ size: 1, key, name });
    await s.release();
    await s.release();
    await s.release();
    assert.deepEqual(s.batches, [['x'], ['a1', 'a2'], ['b1'], ['a3']]);
  });

  it('without canMerge every queued task fitting the batch merges', async () => {
    const s = setup(false);
    s.scheduler.schedule({ size: 1, key: 'a', name: 'x' });
    for (const [name, key] of [['a1', 'a'], ['b1', 'b'], ['a2', 'a']]) s.scheduler.schedule({ size: 1, key, name });
    await s.release();
    assert.deepEqual(s.batches, [['x'], ['a1', 'b1', 'a2']]);
  });
});
