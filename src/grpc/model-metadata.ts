/**
 * Builds the GetModelMetadata response from a served model: signature, limits, execution
 * providers and the effective configuration as callers may see it.
 *
 * Contract: the RPC is unauthenticated, so `effectiveConfigJson` carries no file-system layout
 * and no internal switches: every absolute path (a value, or inside a message such as a probe's
 * loader error) is cut to its last component, and `INTERNAL_KEYS` (test-only fault injection)
 * are left out at any depth. The full configuration stays in the start-up log.
 */
import type { TensorSpec } from '../core/model-signature';
import type { ServedModel } from '../core/served-model';
import { DTYPE_TO_WIRE, type GetModelMetadataResponseMessage, type TensorMetadataMessage } from '../protocol/predict-messages';

/** Config keys never shown to callers. */
const INTERNAL_KEYS: ReadonlySet<string> = new Set(['faultInjection']);

/** An absolute POSIX or Windows path, at the start of a string or after a space, quote, bracket or `=`. */
const ABSOLUTE_PATH = /(?<=^|[\s'"`(=[])(?:[A-Za-z]:)?[\\/][^\s'"`()[\],;]*/g;

function tensorMetadata(spec: TensorSpec): TensorMetadataMessage {
  return {
    name: spec.name,
    alias: spec.alias,
    dtype: DTYPE_TO_WIRE[spec.dtype],
    shape: [-1, ...spec.shape],
    hasIdRange: spec.idRange !== undefined,
    idMin: spec.idRange === undefined ? 0 : Number(spec.idRange.min),
    idMax: spec.idRange === undefined ? 0 : Number(spec.idRange.max),
  };
}

/** `versions`: every version of the model serving now (default: just this one). */
export function describeModel(model: ServedModel, versions: readonly string[] = [model.version]): GetModelMetadataResponseMessage {
  const engine = model.engine.describe();
  return {
    modelName: model.name,
    versions: [...versions],
    platform: 'onnxruntime',
    inputs: model.signature.inputs.map(tensorMetadata),
    outputs: model.signature.outputs.map(tensorMetadata),
    executionProviders: [...engine.executionProviders],
    effectiveConfigJson: JSON.stringify(publicView({ ...model.options.effectiveConfig, engine })),
    maxBatchRows: model.options.maxRequestRows,
  };
}

/** A copy of a JSON-like value without internal keys and with absolute paths cut to their last component. */
export function publicView(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ABSOLUTE_PATH, (path) => path.split(/[\\/]/).filter((part) => part !== '').pop() ?? '');
  if (Array.isArray(value)) return value.map(publicView);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !INTERNAL_KEYS.has(key)).map(([key, inner]) => [key, publicView(inner)]));
  }
  return value;
}
