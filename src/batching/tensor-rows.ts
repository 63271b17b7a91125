/**
 * Row-wise tensor operations the batcher needs: concatenate tensors along dim 0, take a row range.
 *
 * Contract: `concatFeedRows(names, parts)` concatenates, per name, the tensors of every part along
 * rows, all into ONE fresh buffer (each tensor 8-byte aligned): one allocation per batch, and the
 * buffer can be moved to a worker whole; the parts of one name must have the same dtype and the
 * same non-batch dims, else it throws. `sliceRows` returns a view (no copy) sharing the source
 * buffer; `copyRows` returns a copy.
 */
import { align8 } from '../core/aligned-arena';
import { BYTES_PER_ELEMENT, view, type HostTensor } from '../core/tensor';

function rowElements(tensor: HostTensor): number {
  const dims = tensor.dims;
  let elements = 1;
  for (let i = 1; i < dims.length; i++) elements *= dims[i];
  return elements;
}

/**
 * Integer parts (int64 ids included) up to this many elements are copied element by element,
 * larger ones and floating-point ones (whose NaN bits an element copy need not keep) with `set`: a
 * native call costs more than a short loop.
 */
const SMALL_PART_ELEMENTS = 64;

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

/** Per name in `names`, the rows of every `feeds[i][name]` concatenated, all in one fresh ArrayBuffer. */
export function concatFeedRows(names: readonly string[], feeds: ReadonlyArray<Readonly<Record<string, HostTensor>>>): Record<string, HostTensor> {
  const rowsByName = new Array<number>(names.length);
  const offsets = new Array<number>(names.length);
  let end = 0;
  for (let n = 0; n < names.length; n++) {
    const first = feeds[0][names[n]];
    let rows = 0;
    for (let i = 0; i < feeds.length; i++) {
      const part = feeds[i][names[n]];
      if (!sameRowShape(part, first)) throw new Error(`cannot concatenate ${rowShapeKey(part)} with ${rowShapeKey(first)}`);
      rows += part.dims[0];
    }
    rowsByName[n] = rows;
    offsets[n] = align8(end);
    end = offsets[n] + rows * rowElements(first) * BYTES_PER_ELEMENT[first.dtype];
  }
  const buffer = new ArrayBuffer(align8(end));
  const out: Record<string, HostTensor> = {};
  for (let n = 0; n < names.length; n++) {
    const first = feeds[0][names[n]];
    const data = view(first.dtype, buffer, offsets[n], rowsByName[n] * rowElements(first)) as Uint8Array;
    const integers = first.dtype !== 'float32' && first.dtype !== 'float64';
    let at = 0;
    for (let i = 0; i < feeds.length; i++) {
      // Same dtype as `data` (checked above): an integer element copy moves the bits, int64 included.
      const part = feeds[i][names[n]].data as Uint8Array;
      const length = part.length;
      if (integers && length <= SMALL_PART_ELEMENTS) for (let j = 0; j < length; j++) data[at + j] = part[j];
      else data.set(part, at);
      at += length;
    }
    const dims = first.dims.slice();
    dims[0] = rowsByName[n];
    out[names[n]] = { dtype: first.dtype, dims, data };
  }
  return out;
}

export function sliceRows(tensor: HostTensor, startRow: number, endRow: number): HostTensor {
  const per = rowElements(tensor);
  return { dtype: tensor.dtype, dims: [endRow - startRow, ...tensor.dims.slice(1)], data: tensor.data.subarray(startRow * per, endRow * per) };
}

export function copyRows(tensor: HostTensor, startRow: number, endRow: number): HostTensor {
  const per = rowElements(tensor);
  return { dtype: tensor.dtype, dims: [endRow - startRow, ...tensor.dims.slice(1)], data: tensor.data.slice(startRow * per, endRow * per) };
}
