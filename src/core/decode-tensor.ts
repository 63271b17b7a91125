/**
 * Turns a wire tensor (dtype, shape, raw little-endian bytes) into a HostTensor, checking that
 * the bytes match the shape. Transport-free: every protocol adapter that carries raw bytes calls
 * this, so the error messages are the same whichever protocol a client speaks.
 *
 * Contract: on success the data is a fresh, exactly sized copy (safe to transfer to a worker);
 * on failure an INVALID_ARGUMENT ServingError names the input, the expected and the actual value.
 */
import { invalidArgument } from './errors';
import { BYTES_PER_ELEMENT, type DType, type HostTensor, fromLittleEndianBytes } from './tensor';

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

export function decodeRawTensor(inputName: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): HostTensor {
  const elements = checkShape(inputName, shape);
  const expectedBytes = elements * BYTES_PER_ELEMENT[dtype];
  if (bytes.byteLength !== expectedBytes) {
    throw invalidArgument(
      `input "${inputName}": shape [${shape.join(',')}] of ${dtype} needs ${expectedBytes} bytes; got ${bytes.byteLength}`,
    );
  }
  return { dtype, dims: shape, data: fromLittleEndianBytes(dtype, bytes) };
}
