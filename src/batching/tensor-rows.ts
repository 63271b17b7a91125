/**
 * Row-wise tensor operations the batcher needs: concatenate tensors along dim 0, take a row range.
 *
 * Contract: `concatRows` copies into one new, exactly sized typed array (it may be transferred to
 * a worker); every part must have the same dtype and the same non-batch dims, else it throws.
 * `sliceRows` returns a view (no copy) sharing the source buffer; `copyRows` returns a copy.
 */
import { allocate, elementCount, type HostTensor } from '../core/tensor';

function rowElements(tensor: HostTensor): number {
  return tensor.dims.length <= 1 ? 1 : elementCount(tensor.dims.slice(1));
}

/** A key equal for tensors that can be concatenated along rows (for messages; `sameRowShape` compares). */
export function rowShapeKey(tensor: HostTensor): string {
  return `${tensor.dtype}[${tensor.dims.slice(1).join(',')}]`;
}

/** True when `a` and `b` can be concatenated along rows: same dtype and the same non-batch dims (no allocation). */
export function sameRowShape(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length) return false;
  for (let i = 1; i < a.dims.length; i++) if (a.dims[i] !== b.dims[i]) return false;
  return true;
}

export function concatRows(parts: readonly HostTensor[]): HostTensor {
  const first = parts[0];
  let rows = 0;
  for (const part of parts) {
    if (!sameRowShape(part, first)) throw new Error(`cannot concatenate ${rowShapeKey(part)} with ${rowShapeKey(first)}`);
    rows += part.dims[0];
  }
  const data = allocate(first.dtype, rows * rowElements(first));
  let offset = 0;
  for (const part of parts) {
    (data as Uint8Array).set(part.data as Uint8Array, offset);
    offset += part.data.length;
  }
  return { dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data };
}

export function sliceRows(tensor: HostTensor, startRow: number, endRow: number): HostTensor {
  const per = rowElements(tensor);
  return { dtype: tensor.dtype, dims: [endRow - startRow, ...tensor.dims.slice(1)], data: tensor.data.subarray(startRow * per, endRow * per) };
}

export function copyRows(tensor: HostTensor, startRow: number, endRow: number): HostTensor {
  const per = rowElements(tensor);
  return { dtype: tensor.dtype, dims: [endRow - startRow, ...tensor.dims.slice(1)], data: tensor.data.slice(startRow * per, endRow * per) };
}
