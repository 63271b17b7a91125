/**
 * Host tensors: the transport-free representation every protocol adapter decodes into and the
 * engine consumes. Data is a typed array of exactly `product(dims)` elements, row-major.
 *
 * Contract: `dims[0]` is the batch (rows) dimension for every model input and output.
 */

export type DType = 'int64' | 'int32' | 'float32' | 'float64' | 'float16' | 'uint8' | 'int8' | 'bool';

export type TensorData =
  | BigInt64Array | Int32Array | Float32Array | Float64Array | Uint16Array | Uint8Array | Int8Array;

export interface HostTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** Bytes per element of each dtype (float16 travels as raw uint16 bits; bool as one byte). */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  int64: 8, int32: 4, float32: 4, float64: 8, float16: 2, uint8: 1, int8: 1, bool: 1,
};

export const ALL_DTYPES: readonly DType[] = Object.keys(BYTES_PER_ELEMENT) as DType[];

export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const d of dims) count *= d;
  return count;
}

/** A typed array of `length` elements for `dtype`. */
/** The same rank and the same size in every dimension. */
export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function allocate(dtype: DType, length: number): TensorData {
  switch (dtype) {
    case 'int64': return new BigInt64Array(length);
    case 'int32': return new Int32Array(length);
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
    case 'float16': return new Uint16Array(length);
    case 'uint8': case 'bool': return new Uint8Array(length);
    case 'int8': return new Int8Array(length);
  }
}

/** A typed array of `length` elements for `dtype` viewing `buffer` from `byteOffset` (no copy). */
export function view(dtype: DType, buffer: ArrayBuffer, byteOffset: number, length: number): TensorData {
  switch (dtype) {
    case 'int64': return new BigInt64Array(buffer, byteOffset, length);
    case 'int32': return new Int32Array(buffer, byteOffset, length);
    case 'float32': return new Float32Array(buffer, byteOffset, length);
    case 'float64': return new Float64Array(buffer, byteOffset, length);
    case 'float16': return new Uint16Array(buffer, byteOffset, length);
    case 'uint8': case 'bool': return new Uint8Array(buffer, byteOffset, length);
    case 'int8': return new Int8Array(buffer, byteOffset, length);
  }
}

/**
 * Copies little-endian bytes into a fresh, exactly sized, aligned typed array. A copy (not a view)
 * is deliberate: the result may be transferred to a worker without detaching the request buffer.
 */
export function fromLittleEndianBytes(dtype: DType, bytes: Uint8Array): TensorData {
  const out = allocate(dtype, bytes.byteLength / BYTES_PER_ELEMENT[dtype]);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

/** A view of a typed array's bytes (little-endian on every platform Node supports). */
export function toLittleEndianBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
