/**
 * Model fixtures for tests across the project, written into a caller-owned directory
 * (e.g. `mkdtempSync(join(tmpdir(), 'rec-'))`):
 * - `writeTinyDeepFm`: a small DeepFM with the default model's input/output names and dtypes
 *   (C1..C26 int64 [batch,1], dense_input float32 [batch,13] -> sigmoid_0.tmp_0 float32
 *   [batch,1]), vocabulary 1000, k=4, hidden [16,8]; returns its weights for reference checks;
 * - `writeCorruptModel`: bytes that are not a valid ONNX model (garbage, truncated or empty);
 * - `writeModelWithInputs`: a runnable model with arbitrary inputs (e.g. ones that don't match the
 *   Paddle config); its output is sigmoid(sum of each row's input values);
 * - `writeHalfPlusTwoModel`: TF Serving's classic, y = 0.5 x + 2 on float32 [batch,1];
 * - `randomDeepFmBatch`: deterministic random inputs for a DeepFM.
 * Every writer returns the absolute path of the file it wrote (default name model.onnx).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OnnxGraphBuilder, attr, type OnnxDim } from '../../src/model/onnx/onnx-graph-builder';
import type { OnnxDType } from '../../src/model/onnx/onnx-data-type';
import { createDeepFmWeights, type DeepFmWeights } from '../../src/model/deepfm/deepfm-weights';
import { buildDeepFmOnnx, DEEPFM_OUTPUT_NAME } from '../../src/model/deepfm/build-deepfm-onnx';
import type { DeepFmOptions } from '../../src/model/deepfm/deepfm-options';
import { SeededRandom } from '../../src/data/seeded-random';

export const TINY_DEEPFM_OPTIONS = Object.freeze({
  vocabularySize: 1000, embeddingSize: 4, sparseFields: 26, denseFeatures: 13, hiddenUnits: [16, 8], seed: 7,
});

export interface WrittenDeepFm {
  readonly path: string;
  readonly weights: DeepFmWeights;
  readonly bytes: Uint8Array;
}

export interface FixtureFileOptions {
  /** File name inside `dir`; default model.onnx. */
  readonly fileName?: string;
  /** Extra metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Writes a tiny DeepFM (options override TINY_DEEPFM_OPTIONS) to `<dir>/model.onnx`. */
export function writeTinyDeepFm(dir: string, opts: DeepFmOptions & FixtureFileOptions = {}): WrittenDeepFm {
  const { fileName, metadata, ...deepFm } = opts;
  const weights = createDeepFmWeights({ ...TINY_DEEPFM_OPTIONS, ...stripUndefined(deepFm) });
  const bytes = buildDeepFmOnnx(weights, { metadata });
  return { path: writeBytes(dir, fileName, bytes), weights, bytes };
}

export type CorruptModelKind = 'garbage' | 'truncated' | 'empty';

/**
 * Writes an invalid model: 'garbage' (random bytes), 'truncated' (the first half of a tiny
 * DeepFM) or 'empty' (zero bytes).
 */
export function writeCorruptModel(dir: string, kind: CorruptModelKind = 'garbage', fileName?: string): string {
  let bytes: Uint8Array;
  if (kind === 'empty') {
    bytes = new Uint8Array(0);
  } else if (kind === 'truncated') {
    const full = buildDeepFmOnnx(createDeepFmWeights(TINY_DEEPFM_OPTIONS));
    bytes = full.subarray(0, Math.floor(full.length / 2));
  } else {
    const rng = SeededRandom.create(1, 'corrupt');
    bytes = Uint8Array.from({ length: 4096 }, () => rng.nextUint32() & 0xff);
  }
  return writeBytes(dir, fileName, bytes);
}

export interface FixtureTensorSpec {
  readonly name: string;
  readonly dtype: OnnxDType;
  /** The first dim is the batch: -1 or a string makes it dynamic ("batch"). Rank >= 1. */
  readonly dims: readonly OnnxDim[];
}

/**
 * Writes a runnable model with exactly these inputs and one float32 [batch,1] output
 * (`outputName`, default sigmoid_0.tmp_0) = sigmoid(sum over each input of its row's values).
 */
export function writeModelWithInputs(
  dir: string,
  inputs: readonly FixtureTensorSpec[],
  opts: FixtureFileOptions & { readonly outputName?: string } = {},
): string {
  if (inputs.length === 0) throw new RangeError('writeModelWithInputs needs at least one input');
  const g = OnnxGraphBuilder.create({ graphName: 'fixture' });
  const axes1 = g.addInt64s('const.axes_1', [1]);
  const rowSums = inputs.map((spec) => {
    if (spec.dims.length === 0) throw new RangeError(`input "${spec.name}" needs rank >= 1`);
    const dims = spec.dims.map((d, i) => (d === -1 ? (i === 0 ? 'batch' : `${spec.name}_dim${i}`) : d));
    const x = g.addInput(spec.name, spec.dtype, dims);
    const asFloat = spec.dtype === 'float32' ? x : g.op('Cast', [x], { to: attr.int(1) });
    if (dims.length === 1) return asFloat;
    const rest = g.addInt64s(`const.axes_${spec.name}`, dims.slice(1).map((_, i) => i + 1));
    return g.op('ReduceSum', [asFloat, rest], { keepdims: attr.int(0) });              // [B]
  });
  const total = rowSums.length === 1 ? rowSums[0]! : g.op('Sum', rowSums);
  const column = g.op('Unsqueeze', [total, axes1]);                                     // [B,1]
  const outputName = opts.outputName ?? DEEPFM_OUTPUT_NAME;
  g.op('Sigmoid', [column], {}, outputName);
  g.addOutput(outputName, 'float32', ['batch', 1]);
  return writeBytes(dir, opts.fileName, g.toBytes({ producerName: 'rec-serving-test', metadata: opts.metadata }));
}

/** y = 0.5 * x + 2, x and y float32 [batch,1]. */
export function writeHalfPlusTwoModel(dir: string, fileName?: string): string {
  const g = OnnxGraphBuilder.create({ graphName: 'half_plus_two' });
  const x = g.addInput('x', 'float32', ['batch', 1]);
  const half = g.addFloats('a', [1], [0.5]);
  const two = g.addFloats('b', [1], [2]);
  g.op('Add', [g.op('Mul', [x, half]), two], {}, 'y');
  g.addOutput('y', 'float32', ['batch', 1]);
  return writeBytes(dir, fileName, g.toBytes({ producerName: 'rec-serving-test' }));
}

export interface DeepFmBatch {
  readonly batchSize: number;
  /** One [batchSize] array per field (C1..Cn). */
  readonly sparse: BigInt64Array[];
  /** [batchSize, denseFeatures]. */
  readonly dense: Float32Array;
}

/**
 * Deterministic random inputs: ids uniform in [0, V-1] (the first row uses 0 and V-1 in
 * alternate fields, so padding and the last row are always covered), dense values in [0, 2).
 */
export function randomDeepFmBatch(weights: DeepFmWeights, batchSize: number, seed = 1): DeepFmBatch {
  const { vocabularySize: V, sparseFields: F, denseFeatures: D } = weights.options;
  const rng = SeededRandom.create(seed, 'batch');
  const sparse = Array.from({ length: F }, (_, f) => {
    const ids = new BigInt64Array(batchSize);
    for (let b = 0; b < batchSize; b++) ids[b] = BigInt(Math.floor(rng.nextOpenUnit() * V));
    if (batchSize > 0) ids[0] = f % 2 === 0 ? 0n : BigInt(V - 1);
    return ids;
  });
  const dense = new Float32Array(batchSize * D);
  for (let i = 0; i < dense.length; i++) dense[i] = 2 * rng.nextOpenUnit();
  return { batchSize, sparse, dense };
}

function writeBytes(dir: string, fileName: string | undefined, bytes: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, fileName ?? 'model.onnx'));
  writeFileSync(path, bytes);
  return path;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
