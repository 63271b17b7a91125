/**
 * Deterministic DeepFM parameters, initialised the way PaddleRec initialises its Criteo DeepFM.
 *
 * Contract: `createDeepFmWeights(options)` returns the same values for the same options
 * (seed included) on every platform. Initialisation:
 * - first-order table [V,1], embedding table [V,k], dense first-order weights [D] and dense
 *   embedding weights [D,k]: truncated normal (resampled beyond 2 std), std 0.1/sqrt(k);
 *   row 0 of both tables is zeros (the padding id);
 * - DNN Linear layers (F+D)*k -> hiddenUnits... -> 1: weights normal with std 1/sqrt(fan_in),
 *   stored [in, out] row-major (Paddle's Linear layout, so y = x W + b); biases zero.
 * Each parameter draws from its own named stream, so e.g. the DNN does not change with V.
 * The default shape (10 M table floats) takes well under a second.
 */
import { SeededRandom } from '../../data/seeded-random';
import { resolveDeepFmOptions, type DeepFmOptions, type ResolvedDeepFmOptions } from './deepfm-options';

export interface DeepFmLinear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [inFeatures, outFeatures], row-major. */
  readonly weight: Float32Array;
  /** [outFeatures]. */
  readonly bias: Float32Array;
}

export interface DeepFmWeights {
  readonly options: ResolvedDeepFmOptions;
  /** [vocabularySize, 1]. */
  readonly firstOrderTable: Float32Array;
  /** [vocabularySize, embeddingSize], row-major. */
  readonly embeddingTable: Float32Array;
  /** [denseFeatures]. */
  readonly denseFirstOrder: Float32Array;
  /** [denseFeatures, embeddingSize], row-major. */
  readonly denseEmbedding: Float32Array;
  /** Hidden layers (ReLU after each), then the output layer with outFeatures 1. */
  readonly layers: readonly DeepFmLinear[];
}

/** PaddleRec's `init_value_` for the FM part. */
const FM_INIT_VALUE = 0.1;

export function createDeepFmWeights(options: DeepFmOptions = {}): DeepFmWeights {
  const o = resolveDeepFmOptions(options);
  const V = o.vocabularySize;
  const k = o.embeddingSize;
  const D = o.denseFeatures;
  const fmStd = FM_INIT_VALUE / Math.sqrt(k);
  const stream = (name: string): SeededRandom => SeededRandom.create(o.seed, name);

  // Row 0 (the padding id) stays zero: start filling at row 1.
  const firstOrderTable = new Float32Array(V);
  stream('first_order_table').fillTruncatedNormal(firstOrderTable, fmStd, 1);
  const embeddingTable = new Float32Array(V * k);
  stream('embedding_table').fillTruncatedNormal(embeddingTable, fmStd, k);
  const denseFirstOrder = new Float32Array(D);
  stream('dense_w_one').fillTruncatedNormal(denseFirstOrder, fmStd);
  const denseEmbedding = new Float32Array(D * k);
  stream('dense_w').fillTruncatedNormal(denseEmbedding, fmStd);

  const widths = [(o.sparseFields + D) * k, ...o.hiddenUnits, 1];
  const layers: DeepFmLinear[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const inFeatures = widths[i]!;
    const outFeatures = widths[i + 1]!;
    const weight = new Float32Array(inFeatures * outFeatures);
    stream(`dnn_${i}.weight`).fillNormal(weight, 1 / Math.sqrt(inFeatures));
    layers.push({ inFeatures, outFeatures, weight, bias: new Float32Array(outFeatures) });
  }
  return { options: o, firstOrderTable, embeddingTable, denseFirstOrder, denseEmbedding, layers };
}
