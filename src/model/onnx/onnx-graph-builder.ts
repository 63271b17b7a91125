/**
 * A small builder for single-graph ONNX models: typed inputs/outputs (with symbolic dims such as
 * "batch"), initializers stored as raw little-endian bytes, nodes with typed attributes, model
 * metadata_props; `toBytes()` serialises a standard ModelProto.
 *
 * Contract: nodes must be added in topological order. `toBytes()` checks that every node input
 * and graph output names a tensor defined earlier (graph input, initializer or node output) and
 * that no tensor is defined twice, and throws naming the offending tensor otherwise, so that a
 * builder bug surfaces here rather than as an ONNX Runtime load error. Initializer data is
 * copied into the model at `toBytes()` time; the caller's arrays are never modified.
 */
import { endianness } from 'node:os';
import { onnxModelProtoType } from './onnx-schema';
import { ONNX_DATA_TYPE, type OnnxDType, type OnnxTensorData } from './onnx-data-type';

/** A dimension: a fixed size, or a symbolic name (e.g. "batch") for a dynamic one. */
export type OnnxDim = number | string;

export interface OnnxValueSpec {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly OnnxDim[];
}

/** A node attribute; build them with `attr.*`. */
export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

/** Attribute constructors: ONNX distinguishes INT from FLOAT, so the kind is explicit. */
export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ kind: 'floats', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
};

export interface OnnxModelOptions {
  /** ModelProto.producer_name, e.g. "rec-serving". */
  readonly producerName: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** ModelProto.metadata_props, written in key order for deterministic bytes. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Default-domain opset version; default 17, at least 13. */
  readonly opsetVersion?: number;
  /** ModelProto.ir_version; default 8 (the IR version of opset 17). */
  readonly irVersion?: number;
}

/** TensorProto.AttributeType numbers. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

const TYPED_ARRAY_FOR: Readonly<Record<OnnxDType, new (length: number) => OnnxTensorData>> = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array,
  float16: Uint16Array, uint8: Uint8Array, bool: Uint8Array, int8: Int8Array,
};

interface NodeRecord {
  input: string[]; output: string[]; name: string; op_type: string; domain: string;
  attribute: Record<string, unknown>[];
}

export class OnnxGraphBuilder {
  private readonly inputs: OnnxValueSpec[] = [];
  private readonly outputs: OnnxValueSpec[] = [];
  private readonly initializers: { name: string; dtype: OnnxDType; dims: number[]; data: OnnxTensorData }[] = [];
  private readonly nodes: NodeRecord[] = [];
  private readonly defined = new Set<string>();
  private readonly opCounts = new Map<string, number>();

  private constructor(private readonly graphName: string) {}

  static create(options: { graphName?: string } = {}): OnnxGraphBuilder {
    return new OnnxGraphBuilder(options.graphName ?? 'main');
  }

  addInput(name: string, dtype: OnnxDType, dims: readonly OnnxDim[]): string {
    this.define(name, 'graph input');
    this.inputs.push({ name, dtype, dims: [...dims] });
    return name;
  }

  /** Declares a graph output; a node must produce it (checked by `toBytes()`). */
  addOutput(name: string, dtype: OnnxDType, dims: readonly OnnxDim[]): string {
    this.outputs.push({ name, dtype, dims: [...dims] });
    return name;
  }

  /** Adds a constant tensor; `data` must be the typed array for `dtype` with product(dims) elements. */
  addInitializer(name: string, dtype: OnnxDType, dims: readonly number[], data: OnnxTensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (!(data instanceof TYPED_ARRAY_FOR[dtype])) {
      throw new TypeError(`initializer "${name}": ${dtype} needs a ${TYPED_ARRAY_FOR[dtype].name}; got ${data.constructor.name}`);
    }
    if (data.length !== count) {
      throw new RangeError(`initializer "${name}": dims [${dims.join(',')}] need ${count} elements; got ${data.length}`);
    }
    this.define(name, 'initializer');
    this.initializers.push({ name, dtype, dims: [...dims], data });
    return name;
  }

  /** Shorthand for a 1-D int64 initializer (shapes, axes). */
  addInt64s(name: string, values: readonly number[]): string {
    return this.addInitializer(name, 'int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** Shorthand for a float32 initializer. */
  addFloats(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    return this.addInitializer(name, 'float32', dims, values instanceof Float32Array ? values : Float32Array.from(values));
  }

  /** Adds a node with explicit output names; returns them. */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttribute>> = {},
    name?: string,
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.defined.has(input)) {
        throw new Error(`node ${opType} "${name ?? outputs[0]}": input "${input}" is not defined yet (nodes must be added in topological order)`);
      }
    }
    for (const output of outputs) this.define(output, `output of ${opType}`);
    this.nodes.push({
      input: [...inputs], output: [...outputs], name: name ?? outputs[0] ?? opType, op_type: opType, domain: '',
      attribute: Object.keys(attributes).sort().map((key) => encodeAttribute(key, attributes[key]!)),
    });
    return [...outputs];
  }

  /** Adds a single-output node named after its op (`Gather_3`) and returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, output?: string): string {
    const n = this.opCounts.get(opType) ?? 0;
    this.opCounts.set(opType, n + 1);
    const out = output ?? `${opType}_${n}`;
    this.addNode(opType, inputs, [out], attributes, out);
    return out;
  }

  /** The ModelProto as a plain object (what protobufjs encodes). */
  toModelProto(options: OnnxModelOptions): Record<string, unknown> {
    const opsetVersion = options.opsetVersion ?? 17;
    if (!Number.isInteger(opsetVersion) || opsetVersion < 13) {
      throw new RangeError(`opsetVersion must be an integer >= 13; got ${opsetVersion}`);
    }
    for (const output of this.outputs) {
      if (!this.defined.has(output.name)) throw new Error(`graph output "${output.name}" is not produced by any node`);
    }
    const metadata = options.metadata ?? {};
    return {
      ir_version: options.irVersion ?? 8,
      opset_import: [{ domain: '', version: opsetVersion }],
      producer_name: options.producerName,
      producer_version: options.producerVersion ?? '',
      doc_string: options.docString ?? '',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers.map((t) => ({
          name: t.name, data_type: ONNX_DATA_TYPE[t.dtype], dims: t.dims, raw_data: littleEndianBytes(t.data),
        })),
        input: this.inputs.map(encodeValueInfo),
        output: this.outputs.map(encodeValueInfo),
      },
      metadata_props: Object.keys(metadata).sort().map((key) => ({ key, value: metadata[key] })),
    };
  }

  /** Serialised ModelProto bytes. */
  toBytes(options: OnnxModelOptions): Uint8Array {
    const type = onnxModelProtoType();
    return type.encode(type.fromObject(this.toModelProto(options))).finish();
  }

  private define(name: string, what: string): void {
    if (name === '') throw new Error(`${what}: tensor names must not be empty`);
    if (this.defined.has(name)) throw new Error(`${what}: tensor "${name}" is already defined`);
    this.defined.add(name);
  }
}

function encodeValueInfo(spec: OnnxValueSpec): Record<string, unknown> {
  return {
    name: spec.name,
    type: {
      tensor_type: {
        elem_type: ONNX_DATA_TYPE[spec.dtype],
        shape: { dim: spec.dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  };
}

function encodeAttribute(name: string, a: OnnxAttribute): Record<string, unknown> {
  const type = ATTRIBUTE_TYPE[a.kind];
  switch (a.kind) {
    case 'int': return { name, type, i: a.value };
    case 'ints': return { name, type, ints: [...a.value] };
    case 'float': return { name, type, f: a.value };
    case 'floats': return { name, type, floats: [...a.value] };
    case 'string': return { name, type, s: Buffer.from(a.value, 'utf8') };
  }
}

/** The array's bytes in little-endian order (a view on little-endian hosts, a swapped copy otherwise). */
export function littleEndianBytes(data: OnnxTensorData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const width = data.BYTES_PER_ELEMENT;
  if (endianness() === 'LE' || width === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let j = 0; j < width; j++) swapped[i + j] = bytes[i + width - 1 - j]!;
  }
  return swapped;
}
