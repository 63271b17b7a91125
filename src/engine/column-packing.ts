/**
 * Builds the feeds of a model whose column inputs were packed into one tensor
 * (model/onnx/pack-graph-inputs.ts): the [rows, 1] host tensors of a group become one
 * [rows, n] tensor, column c of row r = input c's row r. Other feeds pass through.
 *
 * Contract: `packColumnFeeds(feeds, packings)` returns new feeds keyed by the packed model's input
 * names; the inputs themselves are not modified. Values are copied bit for bit (no numeric
 * conversion), so every dtype keeps its exact values.
 */
import { allocate, type HostTensor, type TensorData } from '../core/tensor';
import type { InputPacking } from '../model/onnx/pack-graph-inputs';

export function packColumnFeeds(feeds: Readonly<Record<string, HostTensor>>, packings: readonly InputPacking[]): Record<string, HostTensor> {
  if (packings.length === 0) return feeds as Record<string, HostTensor>;
  const out: Record<string, HostTensor> = {};
  const packed = new Set<string>();
  for (const packing of packings) {
    for (const name of packing.columns) packed.add(name);
    const first = feeds[packing.columns[0]];
    const rows = first.dims[0];
    const width = packing.columns.length;
    const data = allocate(first.dtype, rows * width);
    const target = words(data);
    const perElement = target.length / data.length;
    packing.columns.forEach((name, column) => {
      const source = words(feeds[name].data);
      for (let row = 0; row < rows; row++) {
        const from = row * perElement;
        const to = (row * width + column) * perElement;
        for (let w = 0; w < perElement; w++) target[to + w] = source[from + w];
      }
    });
    out[packing.packedName] = { dtype: first.dtype, dims: [rows, width], data };
  }
  for (const name in feeds) if (!packed.has(name)) out[name] = feeds[name];
  return out;
}

/** The data as 32-bit words when it is 4-byte aligned and sized, else as bytes (bit-exact copies either way). */
function words(data: TensorData): Int32Array | Uint8Array {
  if (data.BYTES_PER_ELEMENT >= 4 && data.byteOffset % 4 === 0) return new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
