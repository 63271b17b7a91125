/**
 * Worker-thread entry point for the piscina pool: owns one ONNX Runtime session
 * (ort-session-runner.ts) and runs one task at a time on it (`session.run()` blocks this thread,
 * not the server's event loop).
 *
 * Contract: the module's export is a promise (piscina awaits it) that resolves to the task
 * handler once the session is created; when session creation fails the promise rejects and
 * piscina reports the worker as failed (the engine turns that into a start-up error). Each task
 * returns the requested outputs packed into one buffer that is transferred, not cloned, and its
 * timings.
 *
 * @private
 */
import { performance } from 'node:perf_hooks';
import { threadId, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { sessionBytes } from './model-image';
import { OrtSessionRunner } from './ort-session-runner';
import { packTensors, unpackTensors } from './packed-tensors';
import { takeWorkerSessionOptions, type WorkerInit, type WorkerResult, type WorkerTask } from './worker-protocol';

const nowEpochMs = () => performance.timeOrigin + performance.now();

async function createHandler(): Promise<(task: WorkerTask) => Promise<unknown>> {
  const init = workerData as WorkerInit;
  const runner = await OrtSessionRunner.create(sessionBytes(init.model), takeWorkerSessionOptions(init), init.model.packings);
  return async (task: WorkerTask) => {
    if (task.fault !== undefined && init.faultInjection === true) {
      // Test-only fault injection: a dying worker thread, or ONNX Runtime throwing.
      if (task.fault === 'exit') process.exit(70);
      if (task.fault === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      throw new Error('injected fault: ONNX Runtime run failed');
    }
    const startedAtMs = nowEpochMs();
    const { outputs, computeMicros } = await runner.run(unpackTensors(task.feeds), task.outputNames.split('\n'));
    const result: WorkerResult = { outputs: packTensors(outputs), startedAtMs, computeMicros, threadId };
    // Marked movable: piscina transfers the output buffer instead of cloning it.
    return Piscina.move({
      get [Piscina.transferableSymbol]() { return [result.outputs.buffer]; },
      get [Piscina.valueSymbol]() { return result; },
    } as unknown as ArrayBuffer);
  };
}

export = createHandler();
