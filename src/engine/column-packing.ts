/**
 * Builds the feeds of a model whose column inputs were packed into one tensor
 * (model/onnx/pack-graph-inputs.ts): the [rows, 1] host tensors of a group become one
 * [rows, n] tensor, column c of row r = input c's row r. Other feeds pass through.
 *
 * Contract: `packColumnFeeds(feeds, packings, passThrough?)` returns new feeds keyed by the packed
 * model's input names; the inputs themselves are not modified. Values are copied bit for bit (no
 * numeric conversion), so every dtype keeps its exact values. The feeds that are not packed are
 * `passThrough` when given (the packed model's other inputs, so the feeds need not be enumerated),
 * else every feed that is not a packed column.
 */
import { allocate, type HostTensor } from '../core/tensor';
import type { InputPacking } from '../model/onnx/pack-graph-inputs';

export function packColumnFeeds(
  feeds: Readonly<Record<string, HostTensor>>,
  packings: readonly InputPacking[],
  passThrough?: readonly string[],
): Record<string, HostTensor> {
  if (packings.length === 0) return feeds as Record<string, HostTensor>;
  const out: Record<string, HostTensor> = {};
  for (const packing of packings) {
    const { columns } = packing;
    const first = feeds[columns[0]];
    const rows = first.dims[0];
    const width = columns.length;
    const data = allocate(first.dtype, rows * width);
    if (!(data instanceof BigInt64Array) || !copyInt64Columns(feeds, columns, rows, data)) copyColumnsBitwise(feeds, columns, rows, data);
    out[packing.packedName] = { dtype: first.dtype, dims: [rows, width], data };
  }
  if (passThrough !== undefined) {
    for (let i = 0; i < passThrough.length; i++) out[passThrough[i]] = feeds[passThrough[i]];
  } else {
    const packed = new Set(packings.flatMap((packing) => packing.columns));
    for (const name in feeds) if (!packed.has(name)) out[name] = feeds[name];
  }
  return out;
}

/**
 * int64 columns (the usual ids) by element: a BigInt64Array-to-BigInt64Array copy moves the 64
 * bits without making a BigInt, and is the fastest of the copies here. False (nothing to trust in
 * `data`) when a column is not a BigInt64Array.
 */
function copyInt64Columns(feeds: Readonly<Record<string, HostTensor>>, columns: readonly string[], rows: number, data: BigInt64Array): boolean {
  const width = columns.length;
  for (let column = 0; column < width; column++) {
    const source = feeds[columns[column]].data;
    if (!(source instanceof BigInt64Array)) return false;
    for (let row = 0; row < rows; row++) data[row * width + column] = source[row];
  }
  return true;
}

/** Any dtype, bit for bit: 32-bit words when the element size and alignment allow, else bytes. */
function copyColumnsBitwise(feeds: Readonly<Record<string, HostTensor>>, columns: readonly string[], rows: number, data: HostTensor['data']): void {
  const width = columns.length;
  const elementBytes = data.BYTES_PER_ELEMENT;
  const targetWords = elementBytes >= 4 ? new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4) : undefined;
  const targetBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Columns usually share one request buffer: one whole-buffer view serves them all.
  let viewedBuffer: ArrayBufferLike | undefined;
  let sourceWords: Int32Array | undefined;
  let sourceBytes: Uint8Array | undefined;
  for (let column = 0; column < width; column++) {
    const source = feeds[columns[column]].data;
    if (source.buffer !== viewedBuffer) {
      viewedBuffer = source.buffer;
      sourceWords = new Int32Array(source.buffer, 0, source.buffer.byteLength >> 2);
      sourceBytes = new Uint8Array(source.buffer);
    }
    if (targetWords !== undefined && source.byteOffset % 4 === 0) {
      const perElement = elementBytes / 4;
      const base = source.byteOffset / 4;
      for (let row = 0; row < rows; row++) {
        const from = base + row * perElement;
        const to = (row * width + column) * perElement;
        for (let w = 0; w < perElement; w++) targetWords[to + w] = sourceWords![from + w];
      }
    } else {
      for (let row = 0; row < rows; row++) {
        const from = source.byteOffset + row * elementBytes;
        const to = (row * width + column) * elementBytes;
        for (let b = 0; b < elementBytes; b++) targetBytes[to + b] = sourceBytes![from + b];
      }
    }
  }
}
