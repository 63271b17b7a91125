/**
 * Worker-thread entry point for the piscina pool: owns one ONNX Runtime InferenceSession and runs
 * one task at a time on it (`session.run()` blocks this thread, not the server's event loop).
 *
 * Contract: the module's export is a promise (piscina awaits it) that resolves to the task
 * handler once the session is created; session creation failure rejects it, so every task on
 * this worker fails with that error. Each task returns the requested outputs and its timings.
 *
 * @private
 */
import { performance } from 'node:perf_hooks';
import { threadId, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { DType, HostTensor, TensorData } from '../core/tensor';
import { packTensors, unpackTensors } from './packed-tensors';
import { takeWorkerSessionOptions, type WorkerInit, type WorkerResult, type WorkerTask } from './worker-protocol';

const nowEpochMs = () => performance.timeOrigin + performance.now();

async function createHandler(): Promise<(task: WorkerTask) => Promise<WorkerResult>> {
  const init = workerData as WorkerInit;
  const session = await ort.InferenceSession.create(init.modelPath, takeWorkerSessionOptions(init) as ort.InferenceSession.SessionOptions);
  return async (task: WorkerTask): Promise<WorkerResult> => {
    if (task.fault !== undefined && init.faultInjection === true) {
      // Test-only fault injection: a dying worker thread, or ONNX Runtime throwing.
      if (task.fault === 'exit') process.exit(70);
      throw new Error('injected fault: ONNX Runtime run failed');
    }
    const startedAtMs = nowEpochMs();
    const inputs = unpackTensors(task.feeds);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(inputs)) {
      const { dtype, dims, data } = inputs[name];
      feeds[name] = new ort.Tensor(dtype, data as ort.Tensor.DataType, dims as number[]);
    }
    const outputNames = task.outputNames.split('\n');
    const begin = performance.now();
    const results = await session.run(feeds, outputNames);
    const computeMicros = (performance.now() - begin) * 1000;
    const outputs: Record<string, HostTensor> = {};
    for (const name of outputNames) {
      const tensor = results[name];
      outputs[name] = { dtype: tensor.type as DType, dims: tensor.dims, data: tensor.data as TensorData };
    }
    const packed = packTensors(outputs);
    // Outputs are small (rows x outputs); cloning one buffer costs less than marking it movable.
    return { outputs: packed, startedAtMs, computeMicros, threadId };
  };
}

export = createHandler();
