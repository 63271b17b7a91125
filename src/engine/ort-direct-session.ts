/**
 * An ONNX Runtime session driven through onnxruntime-node's native binding directly, for CPU
 * sessions. The public `InferenceSession.run` adds, per run, argument checks, a Promise, a
 * `setImmediate` hop before the native call and a `Tensor` object per input and output; the
 * native `run` itself is synchronous. Calling it directly saves 2-4 µs of CPU per run in a tight
 * loop and, in the server, the event-loop turn before each run (`node
 * dist/benchmarks/ort-run-paths.js` measures both paths side by side).
 *
 * The binding (`onnxruntime-node/dist/binding`) is internal to onnxruntime-node: this module
 * checks its shape when it first loads it, and a session whose binding is missing or different
 * (e.g. after an onnxruntime-node upgrade) keeps the public API.
 *
 * Contract:
 * - `runPathFor(options)` says how a session with these options is driven: "native binding" (a
 *   CPU-only session, the binding usable), or "public API (why)".
 * - `openDirectSession(model, options)`, only for "native binding" (it throws otherwise), loads the
 *   model (path or bytes) with the same session options the public API takes, or throws ONNX
 *   Runtime's error.
 * - `inputNames`: the model's inputs, in its order.
 * - `run(feeds, outputNames)` runs synchronously on the calling thread; feeds are CPU tensors by
 *   model input name; it returns the requested outputs by name (ONNX Runtime's tensors, whose
 *   `type`, `dims` and `data` are read). Errors are ONNX Runtime's, thrown.
 * - `release()` frees the native session; later runs throw.
 */
import type { TensorData } from '../core/tensor';
import type { OrtSessionOptions } from './session-config';

/** A CPU tensor as the native binding reads it. */
export interface NativeFeed {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: TensorData;
  readonly location: 'cpu';
}

/** An output as the native binding returns it. */
export interface NativeOutput {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface DirectSession {
  /** The model's input names, in the model's order. */
  readonly inputNames: readonly string[];
  run(feeds: Record<string, NativeFeed>, outputNames: readonly string[]): Record<string, NativeOutput>;
  release(): void;
}

interface NativeSession {
  loadModel(path: string, options: object): void;
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: object, fetches: Record<string, null>, options: object): Record<string, NativeOutput>;
  dispose(): void;
  readonly inputMetadata: ReadonlyArray<{ readonly name: string }>;
}

interface NativeBinding {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  readonly initOrt: () => void;
}

const BINDING_MODULE = 'onnxruntime-node/dist/binding';

let loaded: { binding?: NativeBinding; problem?: string } | undefined;

function loadBinding(): { binding?: NativeBinding; problem?: string } {
  if (loaded !== undefined) return loaded;
  try {
    const module = require(BINDING_MODULE) as Partial<NativeBinding>;
    const Session = module.binding?.InferenceSession;
    const proto = (Session as { prototype?: Record<string, unknown> } | undefined)?.prototype;
    if (typeof module.initOrt !== 'function' || typeof Session !== 'function' || proto === undefined
      || typeof proto.loadModel !== 'function' || typeof proto.run !== 'function' || typeof proto.dispose !== 'function' || !('inputMetadata' in proto)) {
      loaded = { problem: `${BINDING_MODULE} does not export initOrt and binding.InferenceSession with loadModel, run, dispose and inputMetadata` };
    } else {
      loaded = { binding: module as NativeBinding };
    }
  } catch (error) {
    loaded = { problem: `${BINDING_MODULE} cannot be loaded: ${(error as Error).message.split('\n')[0]}` };
  }
  return loaded;
}

/** How a session with these options is driven. Only CPU sessions take the direct path: other providers keep the public API's option handling. */
export function runPathFor(options: OrtSessionOptions): string {
  const cpuOnly = options.executionProviders.every((provider) => (typeof provider === 'string' ? provider : provider.name) === 'cpu');
  if (!cpuOnly) return 'public API (not a CPU-only session)';
  const { problem } = loadBinding();
  return problem === undefined ? 'native binding' : `public API (${problem})`;
}

export function openDirectSession(model: string | Uint8Array, options: OrtSessionOptions): DirectSession {
  const { binding, problem } = loadBinding();
  if (binding === undefined) throw new Error(`the native binding is not usable: ${problem}`);
  binding.initOrt();
  const session = new binding.binding.InferenceSession();
  if (typeof model === 'string') session.loadModel(model, options);
  else session.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
  const runOptions = {};
  return {
    inputNames: session.inputMetadata.map((input) => input.name),
    run(feeds, outputNames) {
      const fetches: Record<string, null> = {};
      for (let i = 0; i < outputNames.length; i++) fetches[outputNames[i]] = null;
      return session.run(feeds, fetches, runOptions);
    },
    release() {
      session.dispose();
    },
  };
}
