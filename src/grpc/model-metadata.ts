/**
 * Builds the GetModelMetadata response from a served model: signature, limits, execution
 * providers and the effective configuration.
 */
import type { TensorSpec } from '../core/model-signature';
import type { ServedModel } from '../core/served-model';
import { DTYPE_TO_WIRE, type GetModelMetadataResponseMessage, type TensorMetadataMessage } from '../protocol/predict-messages';

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

export function describeModel(model: ServedModel): GetModelMetadataResponseMessage {
  const engine = model.engine.describe();
  return {
    modelName: model.name,
    versions: [model.version],
    platform: 'onnxruntime',
    inputs: model.signature.inputs.map(tensorMetadata),
    outputs: model.signature.outputs.map(tensorMetadata),
    executionProviders: [...engine.executionProviders],
    effectiveConfigJson: JSON.stringify({ ...model.options.effectiveConfig, engine }),
    maxBatchRows: model.options.maxRequestRows,
  };
}
