/**
 * Decodes ModelProto bytes and checks that they are structurally an ONNX model.
 *
 * Contract: returns the decoded message (typed loosely below; int64 fields as `Int64Like`) or
 * throws an Error whose message starts with `<source> is not a valid ONNX model: ` and says
 * why (empty, truncated/corrupt protobuf, no graph, no opset, ...). It does not check operator
 * semantics; ONNX Runtime does that when it loads the model. Bytes fields (initializer raw_data)
 * are views into `bytes`, not copies, so decoding a 40 MB model costs milliseconds.
 */
import { onnxModelProtoType, toSafeNumber, type Int64Like } from './onnx-schema';

export interface DecodedDimension { dim_value?: Int64Like; dim_param?: string; }
export interface DecodedValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DecodedDimension[] } } };
}
export interface DecodedAttribute {
  name?: string; type?: number; i?: Int64Like; f?: number; s?: Uint8Array; ints?: Int64Like[]; floats?: number[];
}
export interface DecodedNode {
  input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: DecodedAttribute[];
}
export interface DecodedTensor { name?: string; dims?: Int64Like[]; data_type?: number; raw_data?: Uint8Array; }
export interface DecodedGraph {
  name?: string; node?: DecodedNode[]; initializer?: DecodedTensor[]; input?: DecodedValueInfo[]; output?: DecodedValueInfo[];
}
export interface DecodedModel {
  ir_version?: Int64Like;
  opset_import?: { domain?: string; version?: Int64Like }[];
  producer_name?: string;
  producer_version?: string;
  graph?: DecodedGraph;
  metadata_props?: { key?: string; value?: string }[];
}

/** Decodes and validates; `source` (a path or a label) names the model in error messages. */
export function decodeOnnxModel(bytes: Uint8Array, source: string): DecodedModel {
  const fail = (why: string): never => {
    throw new Error(`${source} is not a valid ONNX model: ${why}`);
  };
  if (bytes.length === 0) fail('the file is empty');
  let model: DecodedModel;
  try {
    model = onnxModelProtoType().decode(bytes) as unknown as DecodedModel;
  } catch (err) {
    return fail(`protobuf decoding failed after ${bytes.length} bytes (truncated or corrupt): ${(err as Error).message}`);
  }
  let irVersion = 0;
  try {
    irVersion = toSafeNumber(model.ir_version);
  } catch {
    fail('ir_version is out of range');
  }
  if (irVersion < 3) fail(`ir_version must be >= 3; got ${irVersion}`);
  if (!model.opset_import || model.opset_import.length === 0) fail('it has no opset_import');
  const graph = model.graph;
  if (!graph) return fail('it has no graph');
  if (!graph.output || graph.output.length === 0) fail('its graph has no outputs');
  for (const value of [...(graph.input ?? []), ...graph.output!]) {
    if (!value.name) fail('a graph input or output has no name');
  }
  return model;
}

/** Reads an integer attribute of a decoded node, or `fallback` when absent. @private */
export function intAttribute(node: DecodedNode, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a === undefined || a.i === undefined || a.i === null ? fallback : toSafeNumber(a.i);
}
