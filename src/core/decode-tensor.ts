/**
 * Turns a wire tensor (dtype, shape, raw little-endian bytes) into a HostTensor, checking that
 * the bytes match the shape. Transport-free: every protocol adapter that carries raw bytes calls
 * this, so the error messages are the same whichever protocol a client speaks.
 *
 * Contract: `checkRawTensor` throws an INVALID_ARGUMENT ServingError naming the input, the
 * expected and the actual value when the bytes do not match the shape. `decodeRawTensor` checks,
 * then returns a fresh, exactly sized copy (safe to transfer to a worker). `decodeCheckedRawTensors`
 * copies tensors that passed `checkRawTensor` into ONE fresh buffer, each view 8-byte aligned: one
 * allocation per request instead of one per input (27 for PaddleRec's Criteo model). Those views
 * share their buffer, so pack them (engine/packed-tensors.ts) rather than transfer or clone them.
 */
import { copyIntoAlignedArena } from './aligned-arena';
import { invalidArgument } from './errors';
import { BYTES_PER_ELEMENT, type DType, type HostTensor, fromLittleEndianBytes, view } from './tensor';

/** A wire tensor: little-endian `bytes` of a `dtype` tensor of `shape`. */
export interface RawTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** Largest element count of one tensor we accept before even looking at the model (2^31 - 1). */
const MAX_ELEMENTS = 0x7fffffff;

export function checkShape(inputName: string, shape: readonly number[]): number {
  if (shape.length === 0) {
    throw invalidArgument(`input "${inputName}": expected a shape with a batch dimension first; got [] (a scalar)`);
  }
  let elements = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw invalidArgument(`input "${inputName}": shape dimensions must be non-negative integers; got [${shape.join(',')}]`);
    }
    elements *= dim;
    if (elements > MAX_ELEMENTS) {
      throw invalidArgument(`input "${inputName}": shape [${shape.join(',')}] has more than ${MAX_ELEMENTS} elements`);
    }
  }
  return elements;
}

export function checkRawTensor(inputName: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): void {
  checkRawTensorLength(inputName, dtype, shape, bytes.byteLength);
}

/** `checkRawTensor` for bytes known only by their length. */
export function checkRawTensorLength(inputName: string, dtype: DType, shape: readonly number[], byteLength: number): void {
  const elements = checkShape(inputName, shape);
  const expectedBytes = elements * BYTES_PER_ELEMENT[dtype];
  if (byteLength !== expectedBytes) {
    throw invalidArgument(
      `input "${inputName}": shape [${shape.join(',')}] of ${dtype} needs ${expectedBytes} bytes; got ${byteLength}`,
    );
  }
}

export function decodeRawTensor(inputName: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): HostTensor {
  checkRawTensor(inputName, dtype, shape, bytes);
  return { dtype, dims: shape, data: fromLittleEndianBytes(dtype, bytes) };
}

/**
 * Every tensor must have passed `checkRawTensor` (byte length = shape x dtype size). Why one
 * buffer: V8 keeps typed arrays of <= 64 bytes (a batch-5 id column) on its heap and moves each
 * into an ArrayBuffer of its own the first time `.buffer` is read (packTensors, the id-range
 * check); per input, that cost more than the copy. Measured with benchmarks/server-thread-cpu.sh
 * on the builds before and after: the main thread spent ~67 µs less CPU per batch-5 Predict call.
 */
export function decodeCheckedRawTensors(tensors: readonly RawTensor[]): HostTensor[] {
  const { buffer, offsets } = copyIntoAlignedArena(tensors.map((tensor) => tensor.bytes));
  return tensors.map(({ dtype, shape, bytes }, i) => ({
    dtype,
    dims: shape,
    data: view(dtype, buffer, offsets[i], bytes.byteLength / BYTES_PER_ELEMENT[dtype]),
  }));
}
