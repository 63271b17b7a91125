/**
 * Builds the ONNX graph of PaddleRec's Criteo DeepFM from its weights.
 *
 * Contract (names and shapes are what clients send, see docs/deepfm-and-criteo.md):
 * - inputs `C1`..`Cn` int64 [batch,1] (n = sparseFields) and `dense_input` float32 [batch,D]
 *   (omitted when D = 0); output `sigmoid_0.tmp_0` float32 [batch,1];
 * - ids = Concat(C1..Cn) [B,n]; y1 = sum(first_order[ids]) + dense·dense_w_one;
 *   feat = concat(emb[ids], dense[:,:,None]*dense_w) [B,n+D,k];
 *   y2 = 0.5*sum_k((sum_f feat)^2 - sum_f feat^2); y3 = MLP(flatten(feat));
 *   out = sigmoid(y1 + y2 + y3).
 * The ids reach the tables through Concat -> Gather(axis 0), so readOnnxModelInfo infers each
 * Ci's valid range [0, V-1]. Opset 17; the sums that end in [B,1] are MatMuls and one Sum node,
 * and the DNN is Gemm+Relu, which ORT fuses, so the graph is ~20 nodes.
 */
import { OnnxGraphBuilder, attr } from '../onnx/onnx-graph-builder';
import type { DeepFmWeights } from './deepfm-weights';

export const DEEPFM_OUTPUT_NAME = 'sigmoid_0.tmp_0';
export const DEEPFM_DENSE_INPUT_NAME = 'dense_input';
/** metadata_props key whose value names the architecture ("deepfm"). */
const ARCHITECTURE_METADATA_KEY = 'rec_serving.architecture';

/** `C1`..`Cn`. */
export function deepFmSparseInputNames(sparseFields: number): string[] {
  return Array.from({ length: sparseFields }, (_, i) => `C${i + 1}`);
}

export interface BuildDeepFmOnnxOptions {
  /** Default-domain opset; default 17. */
  readonly opsetVersion?: number;
  /** Extra metadata_props (e.g. `rec_serving.id_range.C1`); they override the generated ones. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The serialised ModelProto. */
export function buildDeepFmOnnx(weights: DeepFmWeights, options: BuildDeepFmOnnxOptions = {}): Uint8Array {
  const o = weights.options;
  const { vocabularySize: V, embeddingSize: k, sparseFields: F, denseFeatures: D } = o;
  const g = OnnxGraphBuilder.create({ graphName: 'deepfm' });

  const sparse = deepFmSparseInputNames(F).map((name) => g.addInput(name, 'int64', ['batch', 1]));
  const dense = D > 0 ? g.addInput(DEEPFM_DENSE_INPUT_NAME, 'float32', ['batch', D]) : undefined;
  g.addOutput(DEEPFM_OUTPUT_NAME, 'float32', ['batch', 1]);

  const firstOrderTable = g.addInitializer('fm.first_order_table', 'float32', [V, 1], weights.firstOrderTable);
  const embeddingTable = g.addInitializer('fm.embedding_table', 'float32', [V, k], weights.embeddingTable);
  const axis1 = g.addInt64s('const.axes_1', [1]);
  const half = g.addFloats('const.half_column', [k, 1], new Float32Array(k).fill(0.5));

  // First order and embeddings of the sparse fields.
  const ids = g.op('Concat', sparse, { axis: attr.int(1) }, 'ids');                  // [B,F]
  const firstOrder = g.op('Gather', [firstOrderTable, ids], { axis: attr.int(0) });  // [B,F,1]
  const y1Sparse = g.op('ReduceSum', [firstOrder, axis1], { keepdims: attr.int(0) }, 'y1_sparse'); // [B,1]
  const embedded = g.op('Gather', [embeddingTable, ids], { axis: attr.int(0) });     // [B,F,k]
  const logitTerms = [y1Sparse];

  let feat = embedded;
  if (dense !== undefined) {
    const denseW1 = g.addInitializer('fm.dense_w_one', 'float32', [D, 1], weights.denseFirstOrder);
    const denseW = g.addInitializer('fm.dense_w', 'float32', [D, k], weights.denseEmbedding);
    const axis2 = g.addInt64s('const.axes_2', [2]);
    logitTerms.push(g.op('MatMul', [dense, denseW1], {}, 'y1_dense'));              // [B,1]
    const dense3 = g.op('Unsqueeze', [dense, axis2]);                                // [B,D,1]
    const denseEmbedded = g.op('Mul', [dense3, denseW]);                             // [B,D,k]
    feat = g.op('Concat', [embedded, denseEmbedded], { axis: attr.int(1) }, 'feat'); // [B,F+D,k]
  }

  // FM second order: 0.5 * sum_k((sum_f feat)^2 - sum_f feat^2); the 0.5*sum_k is one MatMul.
  const sum = g.op('ReduceSum', [feat, axis1], { keepdims: attr.int(0) });           // [B,k]
  const sumSquared = g.op('Mul', [sum, sum]);
  const squared = g.op('Mul', [feat, feat]);                                         // [B,F+D,k]
  const squaredSum = g.op('ReduceSum', [squared, axis1], { keepdims: attr.int(0) });  // [B,k]
  const diff = g.op('Sub', [sumSquared, squaredSum]);
  logitTerms.push(g.op('MatMul', [diff, half], {}, 'y2'));                           // [B,1]

  // DNN on the flattened field vectors.
  let h = g.op('Flatten', [feat], { axis: attr.int(1) }, 'dnn_input');              // [B,(F+D)k]
  weights.layers.forEach((layer, i) => {
    const w = g.addInitializer(`dnn.linear_${i}.weight`, 'float32', [layer.inFeatures, layer.outFeatures], layer.weight);
    const b = g.addInitializer(`dnn.linear_${i}.bias`, 'float32', [layer.outFeatures], layer.bias);
    h = g.op('Gemm', [h, w, b], {}, `dnn.linear_${i}`);
    if (i + 1 < weights.layers.length) h = g.op('Relu', [h], {}, `dnn.relu_${i}`);
  });
  logitTerms.push(h);                                                                 // y3 [B,1]

  const logit = g.op('Sum', logitTerms, {}, 'logit');
  g.op('Sigmoid', [logit], {}, DEEPFM_OUTPUT_NAME);

  return g.toBytes({
    producerName: 'rec-serving',
    producerVersion: '1',
    docString: 'DeepFM (PaddleRec Criteo) built by rec-serving src/model/deepfm/build-deepfm-onnx.ts',
    opsetVersion: options.opsetVersion ?? 17,
    metadata: { ...deepFmMetadata(weights), ...options.metadata },
  });
}

/** The metadata_props describing how the model was made (and so how to make it again). */
function deepFmMetadata(weights: DeepFmWeights): Record<string, string> {
  const o = weights.options;
  return {
    [ARCHITECTURE_METADATA_KEY]: 'deepfm',
    'rec_serving.deepfm.vocabulary_size': String(o.vocabularySize),
    'rec_serving.deepfm.embedding_size': String(o.embeddingSize),
    'rec_serving.deepfm.sparse_fields': String(o.sparseFields),
    'rec_serving.deepfm.dense_features': String(o.denseFeatures),
    'rec_serving.deepfm.hidden_units': o.hiddenUnits.join(','),
    'rec_serving.deepfm.seed': String(o.seed),
    'rec_serving.deepfm.init': 'random (untrained): PaddleRec init, truncated normal 0.1/sqrt(k) for FM, normal 1/sqrt(fan_in) for Linear',
  };
}
