/**
 * A model's Triton-style `config.pbtxt` in a model repository, read into what rec-serving
 * applies: name check, inputs/outputs (checked against every version's graph), max_batch_size,
 * dynamic_batching { max_queue_delay_microseconds, preferred_batch_size }, instance_group { count },
 * version_policy and default_model_filename.
 *
 * Contract: `readModelConfig(modelDir, modelName)` returns the applied settings (defaults when the
 * model has no config.pbtxt) or throws one Error naming the file and listing every problem: a
 * field that rec-serving cannot honour is refused with the reason (never silently ignored);
 * unknown fields and syntax errors are refused by the schema-aware parser with the line and column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSignature, TensorSpec } from '../core/model-signature';
import type { DType } from '../core/tensor';
import type { BatchingSettings } from '../config/batching-config';
import { parseProtobufText, ProtobufTextError } from '../model/protobuf-text';
import { MODEL_CONFIG_TYPE, TRITON_DATA_TYPES, TRITON_INSTANCE_KINDS, type ModelConfigMessage, type TensorMessage } from './model-config-schema';
import type { VersionPolicy } from './version-policy';

const MODEL_CONFIG_FILE = 'config.pbtxt';

export interface RepositoryModelConfig {
  /** The config.pbtxt read, or undefined when the model has none (all defaults). */
  readonly source: string | undefined;
  readonly versionPolicy: VersionPolicy;
  /** The model file inside each version folder. */
  readonly modelFileName: string;
  /** max_batch_size: most rows per request and per merged run; undefined = the server's flags. */
  readonly maxBatchSize: number | undefined;
  /** Inputs and outputs declared by the config (checked against each version's graph). */
  readonly declared: ModelSignature | undefined;
  /** instance_group count summed: the model's workers; undefined = the server's share. */
  readonly instanceCount: number | undefined;
  /** dynamic_batching settings over the server's batching flags. */
  readonly batching: Partial<BatchingSettings>;
}

const DTYPES: Readonly<Record<string, DType>> = {
  TYPE_BOOL: 'bool', TYPE_UINT8: 'uint8', TYPE_INT8: 'int8', TYPE_INT32: 'int32', TYPE_INT64: 'int64',
  TYPE_FP16: 'float16', TYPE_FP32: 'float32', TYPE_FP64: 'float64',
};

const DEFAULT_POLICY: VersionPolicy = Object.freeze({ kind: 'latest', count: 1 });

export function readModelConfig(modelDir: string, modelName: string): RepositoryModelConfig {
  const file = path.join(modelDir, MODEL_CONFIG_FILE);
  if (!fs.existsSync(file)) {
    return Object.freeze({ source: undefined, versionPolicy: DEFAULT_POLICY, modelFileName: 'model.onnx', maxBatchSize: undefined, declared: undefined, instanceCount: undefined, batching: {} });
  }
  let message: ModelConfigMessage;
  const text = fs.readFileSync(file, 'utf8');
  try {
    message = parseProtobufText<ModelConfigMessage>(MODEL_CONFIG_TYPE, text);
  } catch (error) {
    if (!(error instanceof ProtobufTextError)) throw error;
    const unknown = error.unknownField;
    throw new Error(unknown === undefined ? `${file}: ${error.message}` : `${file}: field "${unknown}" is not supported by rec-serving (${error.message})`);
  }
  // proto3 has no presence for max_batch_size; the parser sets only the fields written, so a
  // written 0 (refused) is told apart from an absent one (the server's flags).
  return applyModelConfig(message, file, modelName, { maxBatchSizeWritten: Object.prototype.hasOwnProperty.call(message, 'maxBatchSize') });
}

/** Applies a parsed config (exported for tests); throws one Error listing every refusal. */
function applyModelConfig(message: ModelConfigMessage, file: string, modelName: string, options: { maxBatchSizeWritten: boolean }): RepositoryModelConfig {
  const problems: string[] = [];
  if (message.name !== '' && message.name !== modelName) problems.push(`name "${message.name}" differs from the model's directory name "${modelName}" (Triton requires them to match)`);
  if (message.platform !== '' && message.platform !== 'onnxruntime_onnx') problems.push(`platform "${message.platform}" is not supported: rec-serving runs ONNX models ("onnxruntime_onnx")`);
  if (message.backend !== '' && message.backend !== 'onnxruntime') problems.push(`backend "${message.backend}" is not supported: rec-serving runs ONNX Runtime ("onnxruntime")`);
  if (message.maxBatchSize < 0) problems.push(`max_batch_size must be >= 0; got ${message.maxBatchSize}`);
  if (message.maxBatchSize === 0 && options.maxBatchSizeWritten) problems.push('max_batch_size 0 (a model without a batch dimension) is not supported: rec-serving models take the batch as their first dimension; set max_batch_size to the most rows per request');
  const tensors = (list: TensorMessage[], role: 'input' | 'output'): TensorSpec[] => list.map((tensor) => {
    const where = `${role} "${tensor.name}"`;
    if (tensor.name === '') problems.push(`an ${role} has no name`);
    const typeName = TRITON_DATA_TYPES[tensor.dataType] ?? String(tensor.dataType);
    const dtype = DTYPES[typeName];
    if (dtype === undefined) problems.push(`${where}: data_type ${typeName} is not supported (supported: ${Object.keys(DTYPES).join(', ')})`);
    if (tensor.format !== undefined && tensor.format !== 0) problems.push(`${where}: format is not supported (image layouts do not apply to ranking inputs)`);
    if (tensor.reshape != null) problems.push(`${where}: reshape is not supported; declare the model's own dims`);
    if (tensor.isShapeTensor === true) problems.push(`${where}: is_shape_tensor is not supported`);
    if (tensor.allowRaggedBatch === true) problems.push(`${where}: allow_ragged_batch is not supported (every request row has the same shape)`);
    if (tensor.optional === true) problems.push(`${where}: optional inputs are not supported (every input is required)`);
    if (tensor.labelFilename !== undefined && tensor.labelFilename !== '') problems.push(`${where}: label_filename (classification labels) is not supported`);
    return { name: tensor.name, alias: tensor.name, dtype: dtype ?? 'float32', shape: [...tensor.dims] };
  });
  const inputs = tensors(message.input, 'input');
  const outputs = tensors(message.output, 'output');
  if ((inputs.length === 0) !== (outputs.length === 0)) problems.push('declare both input and output, or neither (then they come from the Paddle prototxt or the ONNX graph)');
  let instanceCount: number | undefined;
  for (const group of message.instanceGroup) {
    const kind = TRITON_INSTANCE_KINDS[group.kind] ?? String(group.kind);
    if (kind === 'KIND_GPU' || group.gpus.length > 0) problems.push('instance_group kind KIND_GPU / gpus is not supported per model: choose GPUs for every model with --gpu_ids / --providers');
    else if (kind === 'KIND_MODEL') problems.push('instance_group kind KIND_MODEL is not supported');
    if (group.count < 0) problems.push(`instance_group count must be >= 0; got ${group.count}`);
    instanceCount = (instanceCount ?? 0) + Math.max(1, group.count);
  }
  const batching: { -readonly [K in keyof BatchingSettings]?: BatchingSettings[K] } = {};
  const dynamic = message.dynamicBatching;
  if (dynamic !== null) {
    batching.enabled = true;
    if (dynamic.maxQueueDelayMicroseconds > 0) batching.maxQueueDelayMicros = dynamic.maxQueueDelayMicroseconds;
    if (dynamic.preferredBatchSize.length > 0) batching.preferredBatchSizes = [...dynamic.preferredBatchSize].sort((a, b) => a - b);
    if (dynamic.preserveOrdering) problems.push('dynamic_batching preserve_ordering is not supported (each request gets its own response; order across requests is not kept)');
    if (dynamic.priorityLevels > 0) problems.push('dynamic_batching priority_levels is not supported (one queue per model)');
    const tooLarge = dynamic.preferredBatchSize.filter((size) => size < 1 || (message.maxBatchSize > 0 && size > message.maxBatchSize));
    if (tooLarge.length > 0) problems.push(`dynamic_batching preferred_batch_size ${tooLarge.join(', ')} must be in 1..max_batch_size (${message.maxBatchSize})`);
  }
  if (message.maxBatchSize > 0 && batching.enabled === true) batching.maxBatchSize = message.maxBatchSize;
  const versionPolicy = policyOf(message, problems);
  const modelFileName = message.defaultModelFilename === '' ? 'model.onnx' : message.defaultModelFilename;
  if (modelFileName.includes('/') || modelFileName.includes('\\') || modelFileName === '..') problems.push(`default_model_filename "${modelFileName}" must be a file name inside the version folder`);
  if (problems.length > 0) throw new Error(`${file} cannot be served:\n  - ${problems.join('\n  - ')}`);
  return Object.freeze({
    source: file,
    versionPolicy,
    modelFileName,
    maxBatchSize: message.maxBatchSize > 0 ? message.maxBatchSize : undefined,
    declared: inputs.length === 0 ? undefined : Object.freeze({ inputs, outputs }),
    instanceCount,
    batching: Object.freeze(batching),
  });
}

function policyOf(message: ModelConfigMessage, problems: string[]): VersionPolicy {
  const policy = message.versionPolicy;
  if (policy === null) return DEFAULT_POLICY;
  if (policy.all !== null) return { kind: 'all' };
  if (policy.latest !== null) {
    const count = policy.latest.numVersions;
    if (count < 1) problems.push(`version_policy latest num_versions must be >= 1; got ${count}`);
    return { kind: 'latest', count: Math.max(1, count) };
  }
  if (policy.specific === null) return DEFAULT_POLICY;
  const versions = policy.specific.versions.map(String);
  if (versions.length === 0) problems.push('version_policy specific lists no versions');
  const negative = policy.specific.versions.filter((v) => v < 0);
  if (negative.length > 0) problems.push(`version_policy specific versions must be >= 0; got ${negative.join(', ')}`);
  return { kind: 'specific', versions };
}
