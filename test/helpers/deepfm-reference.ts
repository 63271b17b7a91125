/**
 * A plain-TypeScript DeepFM forward pass over the same weights as build-deepfm-onnx.ts, written
 * independently of the graph (loops, float64 accumulation) so tests can check ONNX Runtime's
 * output against it.
 *
 * Contract: `sparse[f][b]` is the id of field f (C{f+1}) in row b; `dense` is [batchSize, D]
 * row-major. Ids outside [0, V-1] throw (a real table lookup would be out of bounds). Returns
 * the logit y1+y2+y3 and sigmoid(logit) per row. Slow by design (~1 MFLOP per row).
 */
import type { DeepFmWeights } from '../../src/model/deepfm/deepfm-weights';

export interface DeepFmReferenceInput {
  readonly batchSize: number;
  /** One array per sparse field, each of batchSize ids. */
  readonly sparse: readonly (BigInt64Array | ArrayLike<number>)[];
  /** [batchSize, denseFeatures] row-major (may be omitted when denseFeatures is 0). */
  readonly dense?: ArrayLike<number>;
}

export interface DeepFmReferenceOutput {
  readonly logits: Float64Array;
  readonly probabilities: Float64Array;
}

export function runDeepFmReference(weights: DeepFmWeights, input: DeepFmReferenceInput): DeepFmReferenceOutput {
  const { vocabularySize: V, embeddingSize: k, sparseFields: F, denseFeatures: D } = weights.options;
  const B = input.batchSize;
  if (input.sparse.length !== F) throw new RangeError(`expected ${F} sparse fields; got ${input.sparse.length}`);
  if (D > 0 && (input.dense === undefined || input.dense.length !== B * D)) {
    throw new RangeError(`expected ${B * D} dense values; got ${input.dense?.length ?? 0}`);
  }
  const logits = new Float64Array(B);
  const probabilities = new Float64Array(B);
  const fields = F + D;
  const feat = new Float64Array(fields * k);

  for (let b = 0; b < B; b++) {
    let y1 = 0;
    for (let f = 0; f < F; f++) {
      const id = Number(input.sparse[f]![b]);
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`C${f + 1} row ${b}: id ${id} outside [0, ${V - 1}]`);
      y1 += weights.firstOrderTable[id]!;
      for (let j = 0; j < k; j++) feat[f * k + j] = weights.embeddingTable[id * k + j]!;
    }
    for (let d = 0; d < D; d++) {
      const x = Number(input.dense![b * D + d]);
      y1 += x * weights.denseFirstOrder[d]!;
      for (let j = 0; j < k; j++) feat[(F + d) * k + j] = x * weights.denseEmbedding[d * k + j]!;
    }

    let y2 = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      let sq = 0;
      for (let f = 0; f < fields; f++) {
        const v = feat[f * k + j]!;
        s += v;
        sq += v * v;
      }
      y2 += s * s - sq;
    }
    y2 *= 0.5;

    let h: Float64Array = feat;
    weights.layers.forEach((layer, i) => {
      const out = new Float64Array(layer.outFeatures);
      for (let o = 0; o < layer.outFeatures; o++) {
        let acc = layer.bias[o]!;
        for (let x = 0; x < layer.inFeatures; x++) acc += h[x]! * layer.weight[x * layer.outFeatures + o]!;
        out[o] = i + 1 < weights.layers.length && acc < 0 ? 0 : acc;
      }
      h = out;
    });
    const y3 = h[0]!;

    logits[b] = y1 + y2 + y3;
    probabilities[b] = 1 / (1 + Math.exp(-logits[b]!));
  }
  return { logits, probabilities };
}
