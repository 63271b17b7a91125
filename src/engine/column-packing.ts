/**
 * Builds the feeds of a model whose column inputs were packed into one tensor
 * (model/onnx/pack-graph-inputs.ts): the [rows, 1] host tensors of a group become one
 * [rows, n] tensor, column c of row r = input c's row r. Other feeds pass through.
 *
 * Contract: `packColumnFeeds(feeds, packings)` returns new feeds keyed by the packed model's input
 * names; the inputs themselves are not modified. Values are copied bit for bit (no numeric
 * conversion), so every dtype keeps its exact values.
 */
import { allocate, type HostTensor } from '../core/tensor';
import type { InputPacking } from '../model/onnx/pack-graph-inputs';

/** The packed column names of each packings list, built on first use. */
const packedNamesOf = new WeakMap<readonly InputPacking[], ReadonlySet<string>>();

function packedNames(packings: readonly InputPacking[]): ReadonlySet<string> {
  let names = packedNamesOf.get(packings);
  if (names === undefined) {
    names = new Set(packings.flatMap((packing) => packing.columns));
    packedNamesOf.set(packings, names);
  }
  return names;
}

export function packColumnFeeds(feeds: Readonly<Record<string, HostTensor>>, packings: readonly InputPacking[]): Record<string, HostTensor> {
  if (packings.length === 0) return feeds as Record<string, HostTensor>;
  const out: Record<string, HostTensor> = {};
  const packed = packedNames(packings);
  for (const packing of packings) {
    const { columns } = packing;
    const first = feeds[columns[0]];
    const rows = first.dims[0];
    const width = columns.length;
    const data = allocate(first.dtype, rows * width);
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
    out[packing.packedName] = { dtype: first.dtype, dims: [rows, width], data };
  }
  for (const name in feeds) if (!packed.has(name)) out[name] = feeds[name];
  return out;
}
