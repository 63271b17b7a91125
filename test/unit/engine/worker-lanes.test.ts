/**
 * WorkerLanes over real MessageChannels, with the "worker" end answered in this thread: one run
 * per lane, FIFO while every lane is busy, a given-up run never sent, failures and dead lanes
 * rejecting exactly the run they carried, piscina (the fallback) only without lanes.
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { WorkerLanes } from '../../../src/engine/worker-lanes';

interface FakeWorker {
  readonly lanePort: MessagePort;
  /** Messages this worker received, in order. */
  readonly received: unknown[];
  /** Answers the oldest unanswered message with `reply(message)`. */
  answer(reply?: (message: unknown) => unknown): void;
  /** The worker thread "exits": its end of the lane closes. */
  exit(): void;
}

/** Every fake worker's ports, closed after the suite so the test process can exit. */
const openPorts: MessagePort[] = [];

function fakeWorker(): FakeWorker {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  const received: unknown[] = [];
  const unanswered: unknown[] = [];
  port1.on('message', (message: unknown) => {
    received.push(message);
    unanswered.push(message);
  });
  return {
    lanePort: port2,
    received,
    answer(reply = (message) => ({ echo: message })) {
      const message = unanswered.shift();
      assert.ok(message !== undefined, 'the worker has a message to answer');
      port1.postMessage(reply(message));
    },
    exit: () => port1.close(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await tick();
  assert.ok(condition(), what);
}

/** A run that never settles is a failure of that test, not a hung suite. */
const T = { timeout: 5000 };

const noFallback = (): Promise<never> => Promise.reject(new Error('fallback must not be used'));

describe('WorkerLanes', () => {
  after(() => {
    for (const port of openPorts) port.close();
  });

  it('without lanes, leaves the run to the caller (piscina)', T, () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    assert.equal(lanes.run({ n: 1 }, []), undefined);
  });

  it('sends a run to an idle lane and resolves with its answer', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    const result = lanes.run({ n: 1 }, [])!;
    await until('the worker got the run', () => worker.received.length === 1);
    worker.answer();
    assert.deepEqual(await result, { echo: { n: 1 } });
  });

  it('moves the transfer list with the message', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    const buffer = new ArrayBuffer(16);
    const result = lanes.run({ buffer }, [buffer])!;
    assert.equal(buffer.byteLength, 0, 'transferred, not cloned');
    await until('the worker got the run', () => worker.received.length === 1);
    worker.answer(() => 'ok');
    assert.equal(await result, 'ok');
  });

  it('carries one run per lane; a run waits (FIFO) for the first lane to free', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const a = fakeWorker();
    const b = fakeWorker();
    lanes.add(1, a.lanePort);
    lanes.add(2, b.lanePort);
    const first = lanes.run('first', [])!;
    const second = lanes.run('second', [])!;
    const third = lanes.run('third', [])!;
    const fourth = lanes.run('fourth', [])!;
    await until('each lane got one run', () => a.received.length + b.received.length === 2);
    await tick();
    assert.equal(a.received.length + b.received.length, 2, 'no lane took a second run while busy');
    const busyFirst = a.received[0] === 'first' ? a : b;
    busyFirst.answer();
    assert.deepEqual(await first, { echo: 'first' });
    await until('the freed lane took the oldest waiting run', () => busyFirst.received.length === 2);
    assert.equal(busyFirst.received[1], 'third');
    const other = busyFirst === a ? b : a;
    other.answer();
    assert.deepEqual(await second, { echo: 'second' });
    await until('the next freed lane took the next waiting run', () => other.received.length === 2);
    assert.equal(other.received[1], 'fourth');
    busyFirst.answer();
    other.answer();
    assert.deepEqual(await Promise.all([third, fourth]), [{ echo: 'third' }, { echo: 'fourth' }]);
  });

  it('rejects a waiting run whose last check throws, and never sends it', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    const first = lanes.run('first', [])!;
    const givenUp = lanes.run('given up', [], () => {
      throw new Error('deadline passed while waiting');
    })!;
    const wanted = lanes.run('wanted', [])!;
    await until('the worker got the first run', () => worker.received.length === 1);
    worker.answer();
    await first;
    await assert.rejects(givenUp, /deadline passed while waiting/);
    await until('the next run went out', () => worker.received.length === 2);
    assert.deepEqual(worker.received, ['first', 'wanted']);
    worker.answer();
    assert.deepEqual(await wanted, { echo: 'wanted' });
  });

  it('rejects with the error a worker answers as { failed }, and the lane serves on', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    const failing = lanes.run('bad', [])!;
    await until('sent', () => worker.received.length === 1);
    worker.answer(() => ({ failed: new Error('ONNX Runtime run failed') }));
    await assert.rejects(failing, (error: unknown) => error instanceof Error && error.message === 'ONNX Runtime run failed');
    const next = lanes.run('good', [])!;
    await until('sent', () => worker.received.length === 2);
    worker.answer();
    assert.deepEqual(await next, { echo: 'good' });
  });

  it('rejects the run of a worker that exits during it, and drops that lane', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const dying = fakeWorker();
    const healthy = fakeWorker();
    lanes.add(1, dying.lanePort);
    const lost = lanes.run('lost', [])!;
    await until('sent', () => dying.received.length === 1);
    lanes.add(2, healthy.lanePort);
    dying.exit();
    await assert.rejects(lost, /worker thread 1 exited during the run/);
    assert.equal(lanes.size, 1);
    const next = lanes.run('next', [])!;
    await until('the healthy lane took it', () => healthy.received.length === 1);
    healthy.answer();
    assert.deepEqual(await next, { echo: 'next' });
    assert.deepEqual(dying.received, ['lost'], 'nothing more went to the dead lane');
  });

  it('remove() rejects the run in flight with the given cause', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(7, worker.lanePort);
    const lost = lanes.run('lost', [])!;
    lanes.remove(7, new Error('worker 7 was destroyed'));
    await assert.rejects(lost, /worker 7 was destroyed/);
    assert.equal(lanes.run('later', []), undefined, 'no lane left: the caller uses piscina');
  });

  it('a worker that opens a second lane keeps it: the first lane\'s late close drops only the first', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const first = fakeWorker();
    const second = fakeWorker();
    lanes.add(3, first.lanePort);
    lanes.add(3, second.lanePort);
    for (let i = 0; i < 5; i++) await tick(); // the replaced port's 'close' arrives
    assert.equal(lanes.size, 1);
    const result = lanes.run('after', [])!;
    await until('the second lane took it', () => second.received.length === 1);
    second.answer();
    assert.deepEqual(await result, { echo: 'after' });
    assert.deepEqual(first.received, []);
  });

  it('hands runs waiting when the last lane goes to the fallback', T, async () => {
    const fallbackRuns: unknown[] = [];
    const lanes = new WorkerLanes<unknown>((message) => {
      fallbackRuns.push(message);
      return Promise.resolve(`piscina ran ${String(message)}`);
    });
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    const lost = lanes.run('in flight', [])!;
    const waiting = lanes.run('waiting', [])!;
    lanes.remove(1, new Error('gone'));
    await assert.rejects(lost, /gone/);
    assert.equal(await waiting, 'piscina ran waiting');
    assert.deepEqual(fallbackRuns, ['waiting']);
  });

  it('drain() resolves once no run is in flight or waiting', T, async () => {
    const lanes = new WorkerLanes<unknown>(noFallback);
    const worker = fakeWorker();
    lanes.add(1, worker.lanePort);
    await lanes.drain();
    const first = lanes.run('first', [])!;
    const second = lanes.run('second', [])!;
    let drained = false;
    const drain = lanes.drain().then(() => {
      drained = true;
    });
    await until('sent', () => worker.received.length === 1);
    worker.answer();
    await first;
    await tick();
    assert.equal(drained, false, 'a run still waits');
    await until('sent', () => worker.received.length === 2);
    worker.answer();
    await second;
    await drain;
    assert.equal(drained, true);
  });
});
