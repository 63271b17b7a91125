/**
 * The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 8+) that
 * rec-serving writes and reads, parsed once with protobufjs.
 *
 * Contract: field names and numbers are copied verbatim from onnx.proto, so bytes written with
 * this schema are standard ModelProto bytes, and any ModelProto decodes with it: fields left out
 * here (sparse initializers, training info, functions, ...) are skipped as unknown fields, never
 * rejected. int64 fields decode as `Long`, or as a number once protocol/protobuf-runtime.ts has
 * been loaded in the process (it switches `Long` off for all of protobufjs); use
 * `toSafeNumber`/`toBigInt`, which accept both, to read them.
 *
 * Keeping the schema as text inside the compiled module (rather than a .proto next to it) means
 * the model generator that runs during `npm install` needs nothing but node_modules/protobufjs.
 */
import * as protobuf from 'protobufjs';

const ONNX_PROTO_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; SPARSE_TENSORS = 12; TYPE_PROTO = 13; TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  enum DataLocation { DEFAULT = 0; EXTERNAL = 1; }
  optional DataLocation data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    };
    optional string denotation = 3;
  };
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

let modelProtoType: protobuf.Type | undefined;

/** The protobufjs `onnx.ModelProto` type (parsed on first use, then cached). @private */
export function onnxModelProtoType(): protobuf.Type {
  if (modelProtoType === undefined) {
    const { root } = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true });
    modelProtoType = root.lookupType('onnx.ModelProto');
  }
  return modelProtoType;
}

/** An int64 field as protobufjs decodes it: a `Long`-like object or a plain number. */
export type Int64Like = number | string | { low: number; high: number; unsigned?: boolean; toString(): string } | null | undefined;

/** An int64 field as a bigint (0n when absent). */
function toBigInt(value: Int64Like): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  const low = BigInt(value.low >>> 0);
  const high = BigInt(value.high >>> 0);
  const u = (high << 32n) | low;
  return value.unsigned ? u : BigInt.asIntN(64, u);
}

/** An int64 field as a number; throws if it is outside the safe-integer range. */
export function toSafeNumber(value: Int64Like): number {
  const big = toBigInt(value);
  const n = Number(big);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int64 value ${big} is outside the safe integer range`);
  return n;
}
