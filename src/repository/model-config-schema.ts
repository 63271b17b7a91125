/**
 * The schema of the Triton `config.pbtxt` subset rec-serving reads (`inference.ModelConfig`,
 * field names, numbers and enum values as Triton's model_config.proto), a protobufjs type built
 * at startup from the .proto text below, read by the project's schema-aware text-format parser
 * (model/protobuf-text): unknown fields, wrong value types and syntax errors are refused with
 * the line and column, never skipped.
 *
 * Contract: `MODEL_CONFIG_TYPE` is the message type; `ModelConfigMessage` is the shape
 * `parseProtobufText` returns for it (unset message fields are null; 64-bit integers are numbers).
 * Fields listed here are either applied or refused (with the reason) by model-config-pbtxt.ts;
 * fields not listed are refused by the parser as unknown.
 */
import { protobuf } from '../protocol/protobuf-runtime';

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
  dims: number[];
  /** Inputs: format, reshape, is_shape_tensor, optional; outputs: label_filename. */
  format?: number;
  reshape?: { shape: number[] } | null;
  isShapeTensor?: boolean;
  optional?: boolean;
  allowRaggedBatch?: boolean;
  labelFilename?: string;
}

export interface ModelConfigMessage {
  name: string;
  platform: string;
  backend: string;
  versionPolicy: {
    latest: { numVersions: number } | null;
    all: object | null;
    specific: { versions: number[] } | null;
  } | null;
  maxBatchSize: number;
  input: TensorMessage[];
  output: TensorMessage[];
  instanceGroup: Array<{ name: string; count: number; kind: number; gpus: number[] }>;
  defaultModelFilename: string;
  dynamicBatching: { preferredBatchSize: number[]; maxQueueDelayMicroseconds: number; preserveOrdering: boolean; priorityLevels: number } | null;
}

const enumBody = (names: readonly string[]) => names.map((name, number) => `${name} = ${number};`).join(' ');

const MODEL_CONFIG_SUBSET_PROTO = `
syntax = "proto3";
package inference;
enum DataType { ${enumBody(TRITON_DATA_TYPES)} }
message ModelVersionPolicy {
  message Latest { uint32 num_versions = 1; }
  message All {}
  message Specific { repeated int64 versions = 1; }
  oneof policy_choice { Latest latest = 1; All all = 2; Specific specific = 3; }
}
message ModelTensorReshape { repeated int64 shape = 1; }
message ModelInput {
  enum Format { FORMAT_NONE = 0; FORMAT_NHWC = 1; FORMAT_NCHW = 2; }
  string name = 1;
  DataType data_type = 2;
  Format format = 3;
  repeated int64 dims = 4;
  ModelTensorReshape reshape = 5;
  bool is_shape_tensor = 6;
  bool allow_ragged_batch = 7;
  bool optional = 8;
}
message ModelOutput {
  string name = 1;
  DataType data_type = 2;
  repeated int64 dims = 3;
  ModelTensorReshape reshape = 5;
  string label_filename = 4;
  bool is_shape_tensor = 6;
}
message ModelInstanceGroup {
  enum Kind { ${enumBody(TRITON_INSTANCE_KINDS)} }
  string name = 1;
  Kind kind = 4;
  int32 count = 2;
  repeated int32 gpus = 3;
}
message ModelDynamicBatching {
  repeated int32 preferred_batch_size = 1;
  uint64 max_queue_delay_microseconds = 2;
  bool preserve_ordering = 3;
  uint64 priority_levels = 4;
}
message ModelConfig {
  string name = 1;
  string platform = 2;
  string backend = 17;
  ModelVersionPolicy version_policy = 3;
  int32 max_batch_size = 4;
  repeated ModelInput input = 5;
  repeated ModelOutput output = 6;
  repeated ModelInstanceGroup instance_group = 7;
  string default_model_filename = 8;
  ModelDynamicBatching dynamic_batching = 11;
}
`;

function buildType(): protobuf.Type {
  const { root } = protobuf.parse(MODEL_CONFIG_SUBSET_PROTO, new protobuf.Root());
  root.resolveAll();
  return root.lookupType('inference.ModelConfig');
}

export const MODEL_CONFIG_TYPE: protobuf.Type = buildType();
