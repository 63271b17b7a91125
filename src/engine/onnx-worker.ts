/**
 * Worker-thread entry point for the piscina pool: owns one ONNX Runtime session
 * (ort-session-runner.ts) and runs one task at a time on it (`session.run()` blocks this thread,
 * not the server's event loop).
 *
 * Contract: the module's export is a promise (piscina awaits it) that resolves to the task
 * handler once the session is created and every warm-up feed has run on it (so piscina hands a
 * worker, a replacement included, no task before it is warm); the worker then posts
 * `WorkerWarmedUp` with its direct lane (worker-lanes.ts), on which it runs tasks as it does
 * piscina's. When session creation or warm-up fails the promise rejects and piscina
 * reports the worker as failed (the engine turns that into a start-up error). A `WorkerBarrier`
 * task returns this thread's id and its warm-up runs once every party has arrived (or throws on
 * timeout). Each task
 * returns the requested outputs packed into one buffer that is transferred, not cloned, and its
 * timings.
 *
 * @private
 */
import { MessageChannel, type MessagePort, parentPort, threadId, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { sessionSource } from './model-image';
import { OrtSessionRunner } from './ort-session-runner';
import { packTensors, unpackTensors } from './packed-tensors';
import { nowEpochMs } from '../core/epoch-time';
import type { LaneFailure } from './worker-lanes';
import { takeWorkerSessionOptions, type WorkerBarrier, type WorkerBarrierResult, type WorkerInit, type WorkerResult, type WorkerTask, type WorkerWarmedUp } from './worker-protocol';

async function createHandler(): Promise<(task: WorkerTask | WorkerBarrier) => Promise<unknown>> {
  const init = workerData as WorkerInit;
  if (init.faultInjection === true && init.failStarts !== undefined && Atomics.sub(init.failStarts, 0, 1) > 0) {
    throw new Error('injected fault: the worker could not create its session');
  }
  const runner = await OrtSessionRunner.create(sessionSource(init.model), takeWorkerSessionOptions(init), init.model.packings);
  const warmup = init.warmup ?? { feeds: [], outputNames: '' };
  let runs = 0;
  for (const feeds of warmup.feeds) {
    await runner.run(unpackTensors(feeds), warmup.outputNames.split('\n'));
    runs++;
  }
  const runTask = async (task: WorkerTask): Promise<WorkerResult> => {
    if (task.fault !== undefined && init.faultInjection === true) {
      // Test-only fault injection: a dying worker thread, or ONNX Runtime throwing.
      if (task.fault === 'exit') process.exit(70);
      if (task.fault === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      throw new Error('injected fault: ONNX Runtime run failed');
    }
    const startedAtMs = nowEpochMs();
    const { outputs, computeMicros } = await runner.run(unpackTensors(task.feeds), task.outputNames.split('\n'));
    return { outputs: packTensors(outputs), startedAtMs, computeMicros, threadId };
  };
  const lane = openLane(runTask);
  const warmed: WorkerWarmedUp = { warmedUp: { threadId, runs }, lane };
  parentPort?.postMessage(warmed, [lane]);
  return async (task: WorkerTask | WorkerBarrier) => {
    if ('barrier' in task) return { threadId: awaitBarrier(task), warmedUpRuns: runs } satisfies WorkerBarrierResult;
    const result = await runTask(task);
    // Marked movable: piscina transfers the output buffer instead of cloning it.
    return Piscina.move({
      get [Piscina.transferableSymbol]() { return [result.outputs.buffer]; },
      get [Piscina.valueSymbol]() { return result; },
    } as unknown as ArrayBuffer);
  };
}

/**
 * This worker's direct lane (worker-lanes.ts): each task that arrives on it is run and answered
 * on it, the output buffer transferred; a failure is answered as `{ failed: error }`.
 */
function openLane(runTask: (task: WorkerTask) => Promise<WorkerResult>): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (task: WorkerTask) => {
    runTask(task).then(
      (result) => port1.postMessage(result, [result.outputs.buffer]),
      (error: unknown) => port1.postMessage({ failed: error instanceof Error ? error : new Error(String(error)) } satisfies LaneFailure),
    );
  });
  return port2;
}

function awaitBarrier({ barrier, parties, timeoutMs }: WorkerBarrier): number {
  Atomics.add(barrier, 0, 1);
  Atomics.notify(barrier, 0);
  const until = Date.now() + timeoutMs;
  for (let seen = Atomics.load(barrier, 0); seen >= 0 && seen < parties; seen = Atomics.load(barrier, 0)) {
    const left = until - Date.now();
    if (left <= 0) throw new Error(`start-up barrier: ${seen} of ${parties} workers arrived within ${timeoutMs} ms`);
    Atomics.wait(barrier, 0, seen, left);
  }
  return threadId;
}

export = createHandler();
