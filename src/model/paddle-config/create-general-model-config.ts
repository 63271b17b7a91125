/**
 * Building a `GeneralModelConfig` to write, in the explicit form Paddle's converter produces.
 *
 * Contract: every var in the result has all five fields set (`alias_name` defaults to `name`,
 * `is_lod_tensor` to false, the type code to 0 INT64, `shape` to []), so the text form lists
 * them all as Paddle's files do. Input objects are copied, never mutated or aliased.
 */
import type { ModelSignature, TensorSpec } from '../../core/model-signature';
import type { GeneralModelConfig } from './general-model-config-schema';
import { paddleCodeOfDType } from './paddle-dtype';

export interface FeedVarInit {
  readonly name: string;
  /** Defaults to `name`. */
  readonly aliasName?: string;
  /** Defaults to false. */
  readonly isLodTensor?: boolean;
  /** Paddle type code (see `PaddleTypeCode`); defaults to 0 (INT64). */
  readonly feedType?: number;
  /** Excludes the batch dimension; -1 is dynamic. Defaults to []. */
  readonly shape?: readonly number[];
}

export interface FetchVarInit {
  readonly name: string;
  readonly aliasName?: string;
  readonly isLodTensor?: boolean;
  readonly fetchType?: number;
  readonly shape?: readonly number[];
}

export interface GeneralModelConfigInit {
  readonly feedVar: readonly FeedVarInit[];
  readonly fetchVar: readonly FetchVarInit[];
}

/** A config with every field of every var set explicitly. Accepts a parsed config too. */
export function createGeneralModelConfig(init: GeneralModelConfigInit): GeneralModelConfig {
  return {
    feedVar: init.feedVar.map((v) => ({
      name: v.name,
      aliasName: nonEmpty(v.aliasName) ?? v.name,
      isLodTensor: v.isLodTensor ?? false,
      feedType: v.feedType ?? 0,
      shape: [...(v.shape ?? [])],
    })),
    fetchVar: init.fetchVar.map((v) => ({
      name: v.name,
      aliasName: nonEmpty(v.aliasName) ?? v.name,
      isLodTensor: v.isLodTensor ?? false,
      fetchType: v.fetchType ?? 0,
      shape: [...(v.shape ?? [])],
    })),
  };
}

/** The config Paddle would write for a model with this signature (for converters). */
export function fromModelSignature(signature: ModelSignature): GeneralModelConfig {
  const toVar = (spec: TensorSpec) => ({ name: spec.name, aliasName: spec.alias, shape: spec.shape });
  return createGeneralModelConfig({
    feedVar: signature.inputs.map((s) => ({ ...toVar(s), feedType: paddleCodeOfDType(s.dtype) })),
    fetchVar: signature.outputs.map((s) => ({ ...toVar(s), fetchType: paddleCodeOfDType(s.dtype) })),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
