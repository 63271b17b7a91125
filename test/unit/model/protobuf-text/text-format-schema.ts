/**
 * Test schemas for the text-format reader: every scalar type, open and closed enums, proto2
 * defaults, nested and repeated messages, a oneof, a map and a self-recursive message.
 */
import * as protobuf from 'protobufjs';

const PROTO3 = `
syntax = "proto3";
package t3;
enum Color { RED = 0; GREEN = 1; BLUE = 2; }
message Scalars {
  int32 i32 = 1; uint32 u32 = 2; sint32 s32 = 3; fixed32 f32 = 4; sfixed32 sf32 = 5;
  int64 i64 = 6; uint64 u64 = 7; sint64 s64 = 8; fixed64 f64 = 9; sfixed64 sf64 = 10;
  float fl = 11; double db = 12; bool ok = 13; string text = 14; bytes raw = 15; Color color = 16;
  repeated int32 ints = 17; repeated string texts = 18; repeated Scalars children = 19;
  Scalars child = 20;
  oneof choice { string left = 21; int32 right = 22; }
  map<string, int32> counts = 23;
  optional int32 maybe = 24;
}
message Node { Node next = 1; repeated Node more = 2; int32 value = 3; }
`;

const PROTO2 = `
syntax = "proto2";
package t2;
enum Mode { FAST = 1; SAFE = 2; }
message Settings {
  optional int32 level = 1 [default = 7];
  optional string label = 2 [default = "none"];
  optional Mode mode = 3 [default = SAFE];
  optional bool on = 4;
  repeated int32 list = 5;
}
`;

function load(source: string): protobuf.Root {
  const { root } = protobuf.parse(source, new protobuf.Root());
  root.resolveAll();
  return root;
}

const root3 = load(PROTO3);
const root2 = load(PROTO2);

export const ScalarsType = root3.lookupType('t3.Scalars');
export const NodeType = root3.lookupType('t3.Node');
export const SettingsType = root2.lookupType('t2.Settings');
