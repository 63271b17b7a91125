/**
 * What a served model accepts and returns, independent of how it was loaded.
 *
 * Contract: `shape` excludes the batch dimension (as Paddle's config does); -1 marks a dynamic
 * dimension. `alias` is the user-facing name (Paddle's alias_name); `name` is the model's own.
 * `idRange`, when present, is the inclusive range every element of an integer input must lie
 * in (an embedding table's rows): ids outside it never reach the engine.
 * `hasStaticRowShapes(signature)` is true when no input has a dynamic dimension, so every request
 * validated against it has the same feed names, dtypes and row shapes.
 */
import type { DType } from './tensor';

export interface IdRange {
  readonly min: bigint;
  readonly max: bigint;
}

export interface TensorSpec {
  readonly name: string;
  readonly alias: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly idRange?: IdRange;
}

export interface ModelSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export function hasStaticRowShapes(signature: ModelSignature): boolean {
  return signature.inputs.every((spec) => spec.shape.every((dim) => dim >= 0));
}
