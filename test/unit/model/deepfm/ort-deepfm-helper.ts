/**
 * Test helper: runs a DeepFM batch through ONNX Runtime (CPU) and compares with the reference.
 */
import * as ort from 'onnxruntime-node';
import type { DeepFmBatch } from '../../../helpers/model-fixtures';
import type { DeepFmWeights } from '../../../../src/model/deepfm/deepfm-weights';
import { runDeepFmReference } from '../../../helpers/deepfm-reference';
import { DEEPFM_DENSE_INPUT_NAME, DEEPFM_OUTPUT_NAME, deepFmSparseInputNames } from '../../../../src/model/deepfm/build-deepfm-onnx';

export async function createCpuSession(model: string | Uint8Array): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

export function deepFmFeeds(batch: DeepFmBatch): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  deepFmSparseInputNames(batch.sparse.length).forEach((name, f) => {
    feeds[name] = new ort.Tensor('int64', batch.sparse[f]!, [batch.batchSize, 1]);
  });
  feeds[DEEPFM_DENSE_INPUT_NAME] = new ort.Tensor('float32', batch.dense, [batch.batchSize, batch.dense.length / batch.batchSize]);
  return feeds;
}

export async function runDeepFmInOrt(session: ort.InferenceSession, batch: DeepFmBatch): Promise<ort.Tensor> {
  const out = await session.run(deepFmFeeds(batch));
  return out[DEEPFM_OUTPUT_NAME]!;
}

/** max_i |a_i - b_i| / |b_i| */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
  }
  return worst;
}

export function referenceProbabilities(weights: DeepFmWeights, batch: DeepFmBatch): Float64Array {
  return runDeepFmReference(weights, batch).probabilities;
}
