/**
 * The Open Inference Protocol's tensors, protocol-neutral: datatype names (`INT64`, `FP32`, ...)
 * onto core dtypes, shape checks, and conversion between OIP tensors (raw little-endian bytes,
 * or a flat list of values as gRPC's typed `contents` and HTTP's JSON `data` carry them) and core
 * HostTensors. Shared by the gRPC and HTTP adapters so both give the same messages.
 *
 * Contract: every function throws an INVALID_ARGUMENT ServingError naming the tensor, the
 * expected and the actual value; raw bytes go through core/decode-tensor.ts (the messages every
 * raw-bytes protocol gives). Datatypes with no core dtype (UINT16/32/64, INT16, BF16, BYTES) are
 * refused by name. INT64 values given as JSON or gRPC numbers must be safe integers (|v| < 2^53).
 */
import { invalidArgument } from '../core/errors';
import { checkRawTensor, checkShape, decodeCheckedRawTensors, type RawTensor } from '../core/decode-tensor';
import { allocate, type DType, type HostTensor, type TensorData } from '../core/tensor';
import type { NamedTensor } from '../core/validate-request';

export const DATATYPE_OF_DTYPE: Readonly<Record<DType, string>> = {
  bool: 'BOOL', uint8: 'UINT8', int8: 'INT8', int32: 'INT32', int64: 'INT64', float16: 'FP16', float32: 'FP32', float64: 'FP64',
};

const DTYPE_OF_DATATYPE: ReadonlyMap<string, DType> = new Map(
  (Object.entries(DATATYPE_OF_DTYPE) as Array<[DType, string]>).map(([dtype, datatype]) => [datatype, dtype]),
);

/** Triton's model-config enum name of each dtype (ModelConfig's `data_type`). */
export const CONFIG_TYPE_OF_DTYPE: Readonly<Record<DType, string>> = {
  bool: 'TYPE_BOOL', uint8: 'TYPE_UINT8', int8: 'TYPE_INT8', int32: 'TYPE_INT32', int64: 'TYPE_INT64', float16: 'TYPE_FP16', float32: 'TYPE_FP32', float64: 'TYPE_FP64',
};

export type TensorRole = 'input' | 'output';

export function dtypeOfDatatype(name: string, datatype: string, role: TensorRole = 'input'): DType {
  const dtype = DTYPE_OF_DATATYPE.get(datatype);
  if (dtype === undefined) {
    throw invalidArgument(`${role} "${name}": datatype "${datatype}" is not supported; expected one of ${[...DTYPE_OF_DATATYPE.keys()].join(', ')}`);
  }
  return dtype;
}

/** Shape values from a decoded message or JSON: non-negative safe integers, batch dimension first. */
function oipShape(name: string, shape: readonly unknown[]): number[] {
  for (const d of shape) {
    if (typeof d !== 'number') throw invalidArgument(`input "${name}": shape must be a list of non-negative integers; got [${shape.map((v) => (typeof v === 'number' ? String(v) : describeValue(v))).join(',')}]`);
  }
  const dims = shape as number[];
  checkShape(name, dims);
  return dims;
}

/** An input as the adapters decode it: raw bytes or a flat list of values. */
export interface OipInputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly unknown[];
  /** Raw little-endian bytes (gRPC raw_input_contents, HTTP binary data). */
  readonly raw?: Uint8Array;
  /** Flat, row-major values (gRPC typed contents, HTTP JSON `data`); nested arrays are flattened. */
  readonly values?: ArrayLike<unknown>;
  /** Where `values` came from, for messages (e.g. `int64_contents`, `data`). */
  readonly valuesField?: string;
}

/** Every input checked (in order, the first bad one reported), then converted; raw inputs share one fresh buffer. */
export function decodeOipInputs(inputs: readonly OipInputTensor[]): NamedTensor[] {
  const raw: RawTensor[] = [];
  const rawAt: number[] = [];
  const out: Array<NamedTensor | undefined> = inputs.map((input, i) => {
    const dtype = dtypeOfDatatype(input.name, input.datatype);
    const shape = oipShape(input.name, input.shape);
    if (input.raw !== undefined) {
      checkRawTensor(input.name, dtype, shape, input.raw);
      raw.push({ name: input.name, dtype, shape, bytes: input.raw });
      rawAt.push(i);
      return undefined;
    }
    return { name: input.name, tensor: tensorFromValues(input.name, dtype, shape, input.values ?? [], input.valuesField ?? 'data') };
  });
  if (raw.length > 0) {
    const tensors = decodeCheckedRawTensors(raw);
    rawAt.forEach((at, k) => { out[at] = { name: raw[k].name, tensor: tensors[k] }; });
  }
  return out as NamedTensor[];
}

const INTEGER_RANGES: Partial<Record<DType, readonly [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int32: [-2147483648, 2147483647], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** A HostTensor of `shape` from flat (or nested, row-major) values; the count must match the shape. */
export function tensorFromValues(name: string, dtype: DType, shape: readonly number[], values: ArrayLike<unknown>, field: string): HostTensor {
  const flat = isFlat(values) ? values : flatten(values);
  const elements = checkShape(name, shape);
  if (flat.length !== elements) {
    throw invalidArgument(`input "${name}": shape [${shape.join(',')}] needs ${elements} values; got ${flat.length} in ${field}`);
  }
  if (dtype === 'float16') {
    throw invalidArgument(`input "${name}": FP16 values must be sent as raw bytes (raw_input_contents or binary data); got them in ${field}`);
  }
  const data = allocate(dtype, elements);
  fill(name, dtype, data, flat, field);
  return { dtype, dims: shape, data };
}

function fill(name: string, dtype: DType, data: TensorData, values: ArrayLike<unknown>, field: string): void {
  const bad = (i: number, expected: string) => invalidArgument(`input "${name}": ${field}[${i}] is ${describeValue(values[i])}; expected ${expected}`);
  if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'boolean') throw bad(i, 'true or false (BOOL)');
      data[i] = v ? 1 : 0;
    }
    return;
  }
  const range = INTEGER_RANGES[dtype];
  if (range === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw bad(i, `a number (${DATATYPE_OF_DTYPE[dtype]})`);
      data[i] = v;
    }
    return;
  }
  const [min, max] = range;
  const big = data instanceof BigInt64Array ? data : undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(i, `an integer in [${min}, ${max}] (${DATATYPE_OF_DTYPE[dtype]})`);
    if (big !== undefined) big[i] = BigInt(v);
    else data[i] = v;
  }
}

/** A short description of any JSON value for an error message (never walks into arrays or objects). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === undefined) return 'missing';
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function isFlat(values: ArrayLike<unknown>): boolean {
  if (!Array.isArray(values)) return true;
  for (let i = 0; i < values.length; i++) if (Array.isArray(values[i])) return false;
  return true;
}

/** Row-major values of nested arrays; iterative, so any nesting depth JSON.parse accepts is safe. */
function flatten(values: ArrayLike<unknown>): unknown[] {
  const out: unknown[] = [];
  const stack: Array<{ array: ArrayLike<unknown>; at: number }> = [{ array: values, at: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.at === top.array.length) {
      stack.pop();
      continue;
    }
    const v = top.array[top.at++];
    if (Array.isArray(v)) stack.push({ array: v, at: 0 });
    else out.push(v);
  }
  return out;
}

/** The values of a tensor as JSON text (a flat array): float32 in its shortest round-tripping form, int64 exact, BOOL as true/false. */
export function valuesToJson(tensor: HostTensor, formatFloat32: (v: number) => string): string {
  const { data, dtype } = tensor;
  const parts = new Array<string>(data.length);
  if (dtype === 'bool') for (let i = 0; i < data.length; i++) parts[i] = data[i] ? 'true' : 'false';
  else if (dtype === 'float32') for (let i = 0; i < data.length; i++) parts[i] = formatFloat32(data[i] as number);
  else if (dtype === 'float16') throw invalidArgument('FP16 outputs can only be returned as binary data; ask for binary_data_output');
  else for (let i = 0; i < data.length; i++) parts[i] = String(data[i]);
  return `[${parts.join(',')}]`;
}
