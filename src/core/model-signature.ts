/**
 * What a served model accepts and returns, independent of how it was loaded.
 *
 * Contract: `shape` excludes the batch dimension (as Paddle's config does); -1 marks a dynamic
 * dimension. `alias` is the user-facing name (Paddle's alias_name); `name` is the model's own.
 * `idRange`, when present, is the inclusive range every element of an integer input must lie
 * in (an embedding table's rows): ids outside it never reach the engine.
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
