/**
 * The schema of the Triton `config.pbtxt` subset rec-serving reads (`inference.ModelConfig`,
 * field numbers and enum values as Triton's model_config.proto), built at runtime as a protobuf
 * descriptor so the same schema-aware text-format parser as Paddle's prototxt
 * (@bufbuild/protobuf's txtpb) reads it: unknown fields, wrong value types and syntax errors are
 * rejected with the line, never skipped.
 *
 * Contract: `MODEL_CONFIG_SCHEMA` is the message descriptor; `ModelConfigMessage` is the shape
 * `fromText` returns for it. Fields listed here are either applied or refused (with the reason)
 * by model-config-pbtxt.ts; fields not listed are refused by the parser as unknown.
 */
import { createFileRegistry, fromJson, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FieldDescriptorProto_Type as Type, type FieldDescriptorProtoJson } from '@bufbuild/protobuf/wkt';

/** Triton's DataType enum. */
export const TRITON_DATA_TYPES = [
  'TYPE_INVALID', 'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_INT8', 'TYPE_INT16',
  'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16',
] as const;

/** Triton's ModelInstanceGroup.Kind enum. */
export const TRITON_INSTANCE_KINDS = ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL'] as const;

export interface TensorMessage {
  name: string;
  dataType: number;
  dims: bigint[];
  /** Inputs: format, reshape, is_shape_tensor, optional; outputs: label_filename. */
  format?: number;
  reshape?: unknown;
  isShapeTensor?: boolean;
  optional?: boolean;
  allowRaggedBatch?: boolean;
  labelFilename?: string;
}

export interface ModelConfigMessage {
  name: string;
  platform: string;
  backend: string;
  versionPolicy?: { policyChoice: { case: 'latest'; value: { numVersions: number } } | { case: 'all'; value: object } | { case: 'specific'; value: { versions: bigint[] } } | { case: undefined } };
  maxBatchSize: number;
  input: TensorMessage[];
  output: TensorMessage[];
  instanceGroup: Array<{ name: string; count: number; kind: number; gpus: number[] }>;
  defaultModelFilename: string;
  dynamicBatching?: { preferredBatchSize: number[]; maxQueueDelayMicroseconds: bigint; preserveOrdering: boolean; priorityLevels: bigint };
}

type Field = FieldDescriptorProtoJson;
const scalar = (name: string, number: number, type: Type, repeated = false): Field => ({
  name, number, type: `TYPE_${Type[type]}` as Field['type'], label: repeated ? 'LABEL_REPEATED' : 'LABEL_OPTIONAL',
});
const message = (name: string, number: number, typeName: string, repeated = false, oneofIndex?: number): Field => ({
  name, number, type: 'TYPE_MESSAGE', typeName, label: repeated ? 'LABEL_REPEATED' : 'LABEL_OPTIONAL', ...(oneofIndex === undefined ? {} : { oneofIndex }),
});
const enumField = (name: string, number: number, typeName: string): Field => ({ name, number, type: 'TYPE_ENUM', typeName, label: 'LABEL_OPTIONAL' });

function buildSchema(): DescMessage {
  // Built from JSON so the descriptor reads like the .proto it mirrors.
  const json = {
    name: 'rec_serving/triton_model_config_subset.proto',
    package: 'inference',
    syntax: 'proto3',
    enumType: [
      { name: 'DataType', value: TRITON_DATA_TYPES.map((name, number) => ({ name, number })) },
    ],
    messageType: [
      {
        name: 'ModelVersionPolicy',
        nestedType: [
          { name: 'Latest', field: [scalar('num_versions', 1, Type.UINT32)] },
          { name: 'All' },
          { name: 'Specific', field: [scalar('versions', 1, Type.INT64, true)] },
        ],
        field: [
          message('latest', 1, '.inference.ModelVersionPolicy.Latest', false, 0),
          message('all', 2, '.inference.ModelVersionPolicy.All', false, 0),
          message('specific', 3, '.inference.ModelVersionPolicy.Specific', false, 0),
        ],
        oneofDecl: [{ name: 'policy_choice' }],
      },
      {
        name: 'ModelInput',
        enumType: [{ name: 'Format', value: ['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW'].map((name, number) => ({ name, number })) }],
        field: [
          scalar('name', 1, Type.STRING), enumField('data_type', 2, '.inference.DataType'), enumField('format', 3, '.inference.ModelInput.Format'),
          scalar('dims', 4, Type.INT64, true), message('reshape', 5, '.inference.ModelTensorReshape'), scalar('is_shape_tensor', 6, Type.BOOL),
          scalar('allow_ragged_batch', 7, Type.BOOL), scalar('optional', 8, Type.BOOL),
        ],
      },
      {
        name: 'ModelOutput',
        field: [
          scalar('name', 1, Type.STRING), enumField('data_type', 2, '.inference.DataType'), scalar('dims', 3, Type.INT64, true),
          message('reshape', 5, '.inference.ModelTensorReshape'), scalar('label_filename', 4, Type.STRING), scalar('is_shape_tensor', 6, Type.BOOL),
        ],
      },
      { name: 'ModelTensorReshape', field: [scalar('shape', 1, Type.INT64, true)] },
      {
        name: 'ModelInstanceGroup',
        enumType: [{ name: 'Kind', value: TRITON_INSTANCE_KINDS.map((name, number) => ({ name, number })) }],
        field: [scalar('name', 1, Type.STRING), enumField('kind', 4, '.inference.ModelInstanceGroup.Kind'), scalar('count', 2, Type.INT32), scalar('gpus', 3, Type.INT32, true)],
      },
      {
        name: 'ModelDynamicBatching',
        field: [
          scalar('preferred_batch_size', 1, Type.INT32, true), scalar('max_queue_delay_microseconds', 2, Type.UINT64),
          scalar('preserve_ordering', 3, Type.BOOL), scalar('priority_levels', 4, Type.UINT64),
        ],
      },
      {
        name: 'ModelConfig',
        field: [
          scalar('name', 1, Type.STRING), scalar('platform', 2, Type.STRING), scalar('backend', 17, Type.STRING),
          message('version_policy', 3, '.inference.ModelVersionPolicy'), scalar('max_batch_size', 4, Type.INT32),
          message('input', 5, '.inference.ModelInput', true), message('output', 6, '.inference.ModelOutput', true),
          message('instance_group', 7, '.inference.ModelInstanceGroup', true), scalar('default_model_filename', 8, Type.STRING),
          message('dynamic_batching', 11, '.inference.ModelDynamicBatching'),
        ],
      },
    ],
  };
  const registry = createFileRegistry(fromJson(FileDescriptorProtoSchema, json as never), () => undefined);
  const desc = registry.getMessage('inference.ModelConfig');
  if (desc === undefined) throw new Error('internal error: the config.pbtxt schema has no inference.ModelConfig');
  return desc;
}

export const MODEL_CONFIG_SCHEMA: DescMessage = buildSchema();
