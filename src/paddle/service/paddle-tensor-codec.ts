/**
 * Paddle `Tensor` messages <-> core tensors.
 *
 * Contract:
 * - `decodePaddleFeed` binds a Tensor by its real `name` (the alias when the name is empty),
 *   reads the typed field its `elem_type` names, checks the value count against `shape` and
 *   converts to the model input's dtype. A conversion is allowed only when every value survives
 *   it exactly (e.g. INT32 ids for an int64 input; INT64 ids for an int32 input when each fits);
 *   otherwise INVALID_ARGUMENT names the input, the types and the first value that would change.
 *   STRING, LoD and unknown codes are refused with the reason.
 * - `encodePaddleFetch` writes an output as Paddle does: real name, alias, shape with the batch
 *   dimension, `elem_type`, and the typed field (fp16/uint8/int8 in `tensor_content`).
 */
import { invalidArgument } from '../../core/errors';
import type { TensorSpec } from '../../core/model-signature';
import { checkShape } from '../../core/decode-tensor';
import type { NamedTensor, SignatureIndex } from '../../core/validate-request';
import { BYTES_PER_ELEMENT, type DType, type HostTensor, allocate, fromLittleEndianBytes, toLittleEndianBytes, view } from '../../core/tensor';
import { PaddleTypeCode, describePaddleCode, paddleCodeOfDType } from '../../model/paddle-config';
import type { PaddleTensor } from './paddle-messages';

/** Where an elem_type's values travel, and the dtype they have on the wire. */
interface WireField { readonly field: keyof PaddleTensor; readonly dtype: DType }

const WIRE: ReadonlyMap<number, WireField> = new Map([
  [PaddleTypeCode.INT64, { field: 'int64_data', dtype: 'int64' }],
  [PaddleTypeCode.FP32, { field: 'float_data', dtype: 'float32' }],
  [PaddleTypeCode.INT32, { field: 'int_data', dtype: 'int32' }],
  [PaddleTypeCode.FP64, { field: 'float64_data', dtype: 'float64' }],
  [PaddleTypeCode.FP16, { field: 'tensor_content', dtype: 'float16' }],
  [PaddleTypeCode.UINT8, { field: 'tensor_content', dtype: 'uint8' }],
  [PaddleTypeCode.INT8, { field: 'tensor_content', dtype: 'int8' }],
  [PaddleTypeCode.BOOL, { field: 'bool_data', dtype: 'bool' }],
] as const);
/** WIRE indexed by code (codes are small integers), for the per-tensor lookup. */
const WIRE_BY_CODE: ReadonlyArray<WireField | undefined> = Array.from({ length: Math.max(...WIRE.keys()) + 1 }, (_v, code) => WIRE.get(code));

const SUPPORTED_CODES = [...WIRE.keys()].map(describePaddleCode).join(', ');
const EMPTY: ArrayLike<never> = [];

/**
 * One buffer for the typed arrays of a request's feeds (8-byte aligned views), so decoding does
 * one allocation instead of one per input and the engine sees columns that share a buffer.
 * Requests larger than `MAX_ARENA_BYTES` allocate per input as before.
 */
export class FeedArena {
  private offset = 0;
  /** The buffer as 32-bit words, made once per arena for writing int64 values (see int64FromNumbers). */
  private wordView: Int32Array | undefined;
  private constructor(private readonly buffer: ArrayBuffer | undefined) {}

  static forTensors(tensors: readonly PaddleTensor[]): FeedArena {
    let bytes = 0;
    for (let t = 0; t < tensors.length; t++) {
      let elements = 1;
      const shape = tensors[t].shape ?? EMPTY;
      for (let i = 0; i < shape.length; i++) elements *= Number(shape[i]);
      if (!Number.isSafeInteger(elements) || elements < 0) return new FeedArena(undefined);
      bytes += elements * 8;
      if (bytes > MAX_ARENA_BYTES) return new FeedArena(undefined);
    }
    return new FeedArena(new ArrayBuffer(bytes));
  }

  take(dtype: DType, length: number): HostTensor['data'] {
    const bytes = length * BYTES_PER_ELEMENT[dtype];
    if (this.buffer === undefined || this.offset + bytes > this.buffer.byteLength) return allocate(dtype, length);
    const data = view(dtype, this.buffer, this.offset, length);
    this.offset += (bytes + 7) & ~7;
    return data;
  }

  /** `data`'s buffer as 32-bit words: the arena's one view when `data` lies in the arena. */
  words(data: BigInt64Array): Int32Array {
    if (data.buffer !== this.buffer) return new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    this.wordView ??= new Int32Array(this.buffer);
    return this.wordView;
  }
}

const MAX_ARENA_BYTES = 1 << 20;

export function decodePaddleFeed(tensor: PaddleTensor, index: SignatureIndex, arena?: FeedArena): NamedTensor {
  const name = tensor.name || tensor.alias_name || '';
  if (name === '') throw invalidArgument('a feed tensor has neither name nor alias_name');
  const code = tensor.elem_type ?? 0;
  const wire = typeof code === 'number' ? WIRE_BY_CODE[code] : undefined;
  if (wire === undefined) {
    throw invalidArgument(`input "${name}": elem_type ${describePaddleCode(code)} is not supported; supported: ${SUPPORTED_CODES}`);
  }
  if ((tensor.lod?.length ?? 0) > 0) {
    throw invalidArgument(`input "${name}": LoD (variable-length) tensors are not supported; send a dense tensor with an empty lod`);
  }
  const wireShape = tensor.shape ?? EMPTY;
  const shape = new Array<number>(wireShape.length);
  for (let i = 0; i < wireShape.length; i++) shape[i] = Number(wireShape[i]);
  const elements = checkShape(name, shape);
  const spec: TensorSpec | undefined = index.input(name);
  const target = spec?.dtype ?? wire.dtype;
  if (wire.field === 'tensor_content') {
    const bytes = tensor.tensor_content ?? new Uint8Array(0);
    const expected = elements * BYTES_PER_ELEMENT[wire.dtype];
    if (bytes.byteLength !== expected) {
      throw invalidArgument(`input "${name}": shape [${shape.join(',')}] of ${describePaddleCode(code)} needs ${expected} bytes of tensor_content; got ${bytes.byteLength}`);
    }
    const raw = fromLittleEndianBytes(wire.dtype, bytes);
    if (target === wire.dtype) return { name, tensor: { dtype: target, dims: shape, data: raw } };
    if (wire.dtype === 'float16' || target === 'float16') throw lossy(name, code, target, 'fp16 is only accepted for fp16 inputs');
    return { name, tensor: { dtype: target, dims: shape, data: convert(name, code, raw as ArrayLike<number>, target, false, arena) } };
  }
  const values = (wireValues(tensor, wire.field) ?? EMPTY) as ArrayLike<number | boolean>;
  if (values.length !== elements) {
    throw invalidArgument(`input "${name}": shape [${shape.join(',')}] needs ${elements} ${String(wire.field)} values; got ${values.length}`);
  }
  if (target === 'float16') throw lossy(name, code, target, 'fp16 inputs take elem_type 5 (FP16) in tensor_content');
  // Values of the wire's own float type are rounded to it (JSON carries float_data as doubles).
  const rounding = target === wire.dtype && isFloat(target);
  return { name, tensor: { dtype: target, dims: shape, data: convert(name, code, values, target, rounding, arena) } };
}

/** `tensor[field]`, by a named load for the typed fields (a load keyed by a varying name is slower). */
function wireValues(tensor: PaddleTensor, field: keyof PaddleTensor): unknown {
  switch (field) {
    case 'int64_data': return tensor.int64_data;
    case 'float_data': return tensor.float_data;
    case 'int_data': return tensor.int_data;
    case 'float64_data': return tensor.float64_data;
    case 'bool_data': return tensor.bool_data;
    default: return tensor[field];
  }
}

/** Copies `values` into a `target` array, refusing any value the conversion would change. */
function convert(name: string, code: number, values: ArrayLike<number | boolean>, target: DType, rounding = false, arena?: FeedArena): HostTensor['data'] {
  const out = arena === undefined ? allocate(target, values.length) : arena.take(target, values.length);
  if (out instanceof BigInt64Array) {
    const words = arena === undefined ? new Int32Array(out.buffer, out.byteOffset, out.length * 2) : arena.words(out);
    const bad = int64FromNumbers(values as ArrayLike<number>, out, words, (out.byteOffset - words.byteOffset) >> 2);
    if (bad >= 0) {
      const v = Number(values[bad]);
      throw lossy(name, code, target, Number.isInteger(v)
        ? `value ${values[bad]} at index ${bad} is beyond ±(2^53 - 1), the largest integer read exactly from int64_data (JSON numbers and varints are read as doubles); hash ids into a smaller range`
        : `value ${values[bad]} at index ${bad} is not an integer`);
    }
    return out;
  }
  if (rounding) {
    if (out instanceof Float32Array && values instanceof Float32Array) out.set(values);
    else for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    out[i] = v;
    if (out[i] !== v && !(Number.isNaN(v) && isFloat(target))) {
      throw lossy(name, code, target, `value ${values[i]} at index ${i} would become ${out[i]}`);
    }
    if (target === 'bool' && v !== 0 && v !== 1) throw lossy(name, code, target, `value ${values[i]} at index ${i} is not 0 or 1`);
  }
  return out;
}

/**
 * Writes safe integers into `out` as two 32-bit little-endian words each (no BigInt per value):
 * `words` views `out`'s buffer, `out[0]` starting at word `at`. Returns the index of the first
 * value that is not a safe integer, or -1.
 */
function int64FromNumbers(values: ArrayLike<number>, out: BigInt64Array, words: Int32Array, at: number): number {
  for (let i = 0; i < values.length; i++) {
    const v = +values[i];
    const w = at + 2 * i;
    if ((v | 0) === v) {
      // An int32 (most ids): the high word is its sign.
      words[w] = v;
      words[w + 1] = v >> 31;
    } else if (!Number.isSafeInteger(v)) {
      return i;
    } else if (v >= 0) {
      const low = v % 4294967296;
      words[w] = low | 0;
      words[w + 1] = (v - low) / 4294967296;
    } else {
      out[i] = BigInt(v);
    }
  }
  return -1;
}

const isFloat = (dtype: DType) => dtype === 'float32' || dtype === 'float64';

function lossy(name: string, code: number, target: DType, detail: string) {
  return invalidArgument(`input "${name}": elem_type ${describePaddleCode(code)} cannot be converted to the model's ${target} without losing data: ${detail}`);
}

/** A model output as Paddle's server returns it. */
export function encodePaddleFetch(spec: TensorSpec, tensor: HostTensor): PaddleTensor {
  const message: PaddleTensor = {
    elem_type: paddleCodeOfDType(tensor.dtype),
    shape: tensor.dims,
    name: spec.name,
    alias_name: spec.alias,
  };
  const data = tensor.data;
  switch (tensor.dtype) {
    case 'int64': message.int64_data = Array.from(data as BigInt64Array, Number); break;
    case 'float32': message.float_data = data as Float32Array; break;
    case 'int32': message.int_data = data as Int32Array; break;
    case 'float64': message.float64_data = data as Float64Array; break;
    case 'bool': message.bool_data = Array.from(data as Uint8Array, Boolean); break;
    default: message.tensor_content = toLittleEndianBytes(data);
  }
  return message;
}
