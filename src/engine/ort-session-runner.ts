/**
 * One ONNX Runtime session and the conversion between host tensors and ORT tensors around a run.
 * Shared by the worker threads (onnx-worker.ts) and the main-thread engine (inline-onnx-engine.ts)
 * so both run a model the same way.
 *
 * Contract: `OrtSessionRunner.create` loads the model (path or bytes) with the given options and
 * rejects with ONNX Runtime's message when it cannot. `run` takes tensors by the served model's
 * input names (packing column inputs when the loaded bytes were rewritten by
 * model/onnx/pack-graph-inputs.ts, as `packings` describe) and resolves with the requested outputs (views of ORT's output buffers, not copies) and
 * the time spent inside `session.run`, microseconds. `session.run` runs on the calling thread.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { DType, HostTensor, TensorData } from '../core/tensor';
import type { InputPacking } from '../model/onnx/pack-graph-inputs';
import { packColumnFeeds } from './column-packing';
import type { OrtSessionOptions } from './session-config';

export interface SessionRun {
  readonly outputs: Record<string, HostTensor>;
  readonly computeMicros: number;
}

export class OrtSessionRunner {
  private constructor(private readonly session: ort.InferenceSession, private readonly packings: readonly InputPacking[]) {}

  static async create(model: string | Uint8Array, options: OrtSessionOptions, packings: readonly InputPacking[] = []): Promise<OrtSessionRunner> {
    const sessionOptions = options as ort.InferenceSession.SessionOptions;
    const session = typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
    return new OrtSessionRunner(session, packings);
  }

  async run(inputs: Readonly<Record<string, HostTensor>>, outputNames: readonly string[]): Promise<SessionRun> {
    const feeds: Record<string, ort.Tensor> = {};
    const modelInputs = packColumnFeeds(inputs, this.packings);
    for (const name in modelInputs) {
      const { dtype, dims, data } = modelInputs[name];
      feeds[name] = new ort.Tensor(dtype, data as ort.Tensor.DataType, dims as number[]);
    }
    const begin = performance.now();
    const results = await this.session.run(feeds, outputNames as string[]);
    const computeMicros = (performance.now() - begin) * 1000;
    const outputs: Record<string, HostTensor> = {};
    for (const name of outputNames) {
      const tensor = results[name];
      outputs[name] = { dtype: tensor.type as DType, dims: tensor.dims, data: tensor.data as TensorData };
    }
    return { outputs, computeMicros };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
