/**
 * One ONNX Runtime session and the conversion between host tensors and ORT tensors around a run.
 * Shared by the worker threads (onnx-worker.ts) and the main-thread engine (inline-onnx-engine.ts)
 * so both run a model the same way.
 *
 * Contract: `OrtSessionRunner.create` loads the model (path or bytes) with the given options and
 * rejects with ONNX Runtime's message when it cannot. A CPU session is driven through
 * onnxruntime-node's native binding (ort-direct-session.ts) when it is usable, any other session
 * (or CPU when it is not) through the public `InferenceSession`; `runPath` says which. `run` takes
 * tensors by the served model's input names (packing column inputs when the loaded bytes were
 * rewritten by model/onnx/pack-graph-inputs.ts, as `packings` describe) and resolves with the
 * requested outputs (views of ORT's output buffers, not copies) and the time spent inside the
 * session's run, microseconds. The run itself executes on the calling thread.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { DType, HostTensor, TensorData } from '../core/tensor';
import type { InputPacking } from '../model/onnx/pack-graph-inputs';
import { packColumnFeeds } from './column-packing';
import { openDirectSession, runPathFor, type DirectSession, type NativeFeed, type NativeOutput } from './ort-direct-session';
import type { OrtSessionOptions } from './session-config';

export interface SessionRun {
  readonly outputs: Record<string, HostTensor>;
  readonly computeMicros: number;
}

export class OrtSessionRunner {
  /** The loaded model's inputs that are not packed columns: passed through as they are. */
  private readonly passThrough: readonly string[];

  private constructor(
    private readonly session: { readonly direct: DirectSession } | { readonly public: ort.InferenceSession },
    private readonly packings: readonly InputPacking[],
    /** How runs reach ONNX Runtime: its native binding, or the public API and why. */
    readonly runPath: string,
  ) {
    const inputNames = 'direct' in session ? session.direct.inputNames : session.public.inputNames;
    const packedNames = new Set(packings.map((packing) => packing.packedName));
    this.passThrough = inputNames.filter((name) => !packedNames.has(name));
  }

  static async create(model: string | Uint8Array, options: OrtSessionOptions, packings: readonly InputPacking[] = []): Promise<OrtSessionRunner> {
    const runPath = runPathFor(options);
    if (runPath === 'native binding') return new OrtSessionRunner({ direct: openDirectSession(model, options) }, packings, runPath);
    const sessionOptions = options as ort.InferenceSession.SessionOptions;
    const session = typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
    return new OrtSessionRunner({ public: session }, packings, runPath);
  }

  async run(inputs: Readonly<Record<string, HostTensor>>, outputNames: readonly string[]): Promise<SessionRun> {
    const modelInputs = packColumnFeeds(inputs, this.packings, this.passThrough);
    if ('direct' in this.session) {
      const feeds: Record<string, NativeFeed> = {};
      for (const name in modelInputs) {
        const { dtype, dims, data } = modelInputs[name];
        feeds[name] = { type: dtype, dims, data, location: 'cpu' };
      }
      const begin = performance.now();
      const results = this.session.direct.run(feeds, outputNames);
      return collectOutputs(results, outputNames, begin);
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const name in modelInputs) {
      const { dtype, dims, data } = modelInputs[name];
      feeds[name] = new ort.Tensor(dtype, data as ort.Tensor.DataType, dims as number[]);
    }
    const begin = performance.now();
    const results = await this.session.public.run(feeds, outputNames as string[]);
    return collectOutputs(results, outputNames, begin);
  }

  async release(): Promise<void> {
    if ('direct' in this.session) this.session.direct.release();
    else await this.session.public.release();
  }
}

function collectOutputs(results: Readonly<Record<string, NativeOutput>>, outputNames: readonly string[], begin: number): SessionRun {
  const computeMicros = (performance.now() - begin) * 1000;
  const outputs: Record<string, HostTensor> = {};
  for (const name of outputNames) {
    const tensor = results[name];
    outputs[name] = { dtype: tensor.type as DType, dims: tensor.dims, data: tensor.data as TensorData };
  }
  return { outputs, computeMicros };
}
