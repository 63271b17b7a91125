/**
 * Rewrites an ONNX model so that its column inputs (several graph inputs of one element type and
 * shape [batch, 1], like PaddleRec's C1..C26 ids) arrive as ONE [batch, n] input. ONNX Runtime
 * pays a fixed cost per fed tensor; for PaddleRec's 27-input DeepFM at batch 5 one packed feed
 * makes a run ~30% cheaper (`node dist/benchmarks/packed-feeds.js`).
 *
 * Contract: `packGraphInputs(bytes, source)` returns the rewritten model bytes and, per packed
 * group, the packed input's name and its columns in order (column c of row r = input c's row r),
 * or `{ skipped: reason }` when nothing is packed. The model computes exactly the same function:
 * - when one `Concat(axis 1)` consumes exactly the group's inputs and nothing else reads them,
 *   the Concat is removed and its output becomes the packed input;
 * - otherwise a `Split(axis 1)` node turns the packed input back into the original names.
 * Models this module's ONNX schema subset cannot re-encode to exactly their own bytes (unknown
 * fields, another field order, 64-bit values the process's protobufjs setting would round) and
 * models with external data are skipped, never altered.
 */
import { decodeOnnxModel, type DecodedModel, type DecodedNode, type DecodedValueInfo } from './decode-onnx-model';
import { onnxDTypeFromCode, type OnnxDType } from './onnx-data-type';
import { onnxModelProtoType, toSafeNumber } from './onnx-schema';

export interface InputPacking {
  /** The model input that receives the packed tensor. */
  readonly packedName: string;
  readonly dtype: OnnxDType;
  /** The original inputs, in column order. */
  readonly columns: readonly string[];
}

export type PackedModel = { readonly bytes: Uint8Array; readonly packings: readonly InputPacking[] } | { readonly skipped: string };

const ONNX_INT64 = 7;

export function packGraphInputs(bytes: Uint8Array, source: string): PackedModel {
  const type = onnxModelProtoType();
  const model = decodeOnnxModel(bytes, source);
  // Only a model that re-encodes to exactly its own bytes is rewritten: unknown fields, another
  // field order, or an int64 a 64-bit-less protobufjs setting would round all make it differ.
  if (!sameBytes(type.encode(model as object).finish(), bytes)) {
    return { skipped: 'the model does not re-encode to its own bytes with the subset of onnx.proto this server rewrites (unknown fields, field order or 64-bit values)' };
  }
  const graph = model.graph!;
  if ((graph.initializer ?? []).some((t) => (t as { data_location?: number }).data_location === 1)) {
    return { skipped: 'the model keeps tensors in external data files' };
  }
  const groups = columnGroups(graph.input ?? [], new Set((graph.initializer ?? []).map((t) => t.name ?? '')));
  if (groups.length === 0) return { skipped: 'no two inputs share an element type and a [batch, 1] shape' };
  const packings: InputPacking[] = [];
  const taken = new Set([...(graph.input ?? []), ...(graph.node ?? []).flatMap((n) => n.output ?? [])].map((v) => (typeof v === 'string' ? v : v.name ?? '')));
  for (const group of groups) packings.push(packGroup(model, group, taken));
  return { bytes: type.encode(model as object).finish(), packings };
}

interface ColumnGroup { readonly elemType: number; readonly dtype: OnnxDType; readonly names: string[]; readonly batchDim: object }

/** Graph inputs (not initializers) of shape [batch, 1], grouped by element type; groups of two or more. */
function columnGroups(inputs: readonly DecodedValueInfo[], initializers: ReadonlySet<string>): ColumnGroup[] {
  const byType = new Map<number, ColumnGroup>();
  for (const input of inputs) {
    const tensor = input.type?.tensor_type;
    const dims = tensor?.shape?.dim ?? [];
    const dtype = onnxDTypeFromCode(tensor?.elem_type ?? 0);
    if (dtype === undefined || initializers.has(input.name!) || dims.length !== 2) continue;
    if (dims[1].dim_value === undefined || dims[1].dim_value === null || toSafeNumber(dims[1].dim_value) !== 1) continue;
    const group = byType.get(tensor!.elem_type!) ?? { elemType: tensor!.elem_type!, dtype, names: [], batchDim: dims[0] };
    group.names.push(input.name!);
    byType.set(group.elemType, group);
  }
  return [...byType.values()].filter((group) => group.names.length >= 2);
}

function packGroup(model: DecodedModel, group: ColumnGroup, taken: Set<string>): InputPacking {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const members = new Set(group.names);
  const consumers = nodes.filter((node) => (node.input ?? []).some((name) => members.has(name)));
  const concat = consumers.length === 1 ? consumers[0] : undefined;
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const inputIndex = (graph.input ?? []).findIndex((v) => members.has(v.name!));
  const packedInput = (name: string, width: number): DecodedValueInfo => ({
    name, type: { tensor_type: { elem_type: group.elemType, shape: { dim: [group.batchDim as never, { dim_value: width }] } } },
  });
  graph.input = (graph.input ?? []).filter((v) => !members.has(v.name!));
  if (concat !== undefined && isColumnConcat(concat, members) && !group.names.some((n) => outputs.has(n))) {
    const packedName = concat.output![0];
    graph.node = nodes.filter((node) => node !== concat);
    graph.input.splice(inputIndex, 0, packedInput(packedName, concat.input!.length));
    return { packedName, dtype: group.dtype, columns: [...concat.input!] };
  }
  const packedName = uniqueName(`rec_serving_packed_${group.dtype}`, taken);
  const splitSizes = uniqueName(`${packedName}_split`, taken);
  const opset = defaultOpset(model);
  const split: DecodedNode = { name: `${packedName}_to_columns`, op_type: 'Split', input: [packedName], output: [...group.names], attribute: [{ name: 'axis', type: 2, i: 1 }] };
  if (opset >= 13) {
    const sizes = new Uint8Array(group.names.length * 8);
    const view = new DataView(sizes.buffer);
    for (let i = 0; i < group.names.length; i++) view.setBigInt64(i * 8, 1n, true);
    graph.initializer = [...(graph.initializer ?? []), { name: splitSizes, dims: [group.names.length], data_type: ONNX_INT64, raw_data: sizes }];
    split.input!.push(splitSizes);
  } else {
    split.attribute!.push({ name: 'split', type: 7, ints: group.names.map(() => 1) });
  }
  graph.node = [split, ...nodes];
  graph.input.splice(inputIndex, 0, packedInput(packedName, group.names.length));
  return { packedName, dtype: group.dtype, columns: [...group.names] };
}

/** A Concat along axis 1 (or -1 of a rank-2 tensor) whose inputs are exactly the group, each once. */
function isColumnConcat(node: DecodedNode, members: ReadonlySet<string>): boolean {
  if (node.op_type !== 'Concat' || (node.domain ?? '') !== '' || (node.output ?? []).length !== 1) return false;
  const axisAttribute = (node.attribute ?? []).find((a) => a.name === 'axis');
  const axis = axisAttribute === undefined ? undefined : toSafeNumber(axisAttribute.i);
  if (axis !== 1 && axis !== -1) return false;
  const inputs = node.input ?? [];
  return inputs.length === members.size && new Set(inputs).size === inputs.length && inputs.every((name) => members.has(name));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function defaultOpset(model: DecodedModel): number {
  const entry = (model.opset_import ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return entry === undefined ? 1 : toSafeNumber(entry.version);
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}
