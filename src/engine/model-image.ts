/**
 * The model bytes every session of a served model loads: the bytes read and validated once at
 * start-up (model/load-model-dir.ts), rewritten for ONNX Runtime (column inputs packed, model/onnx/pack-graph-inputs.ts) and kept in
 * shared memory, so the workers, their replacements and the main-thread session all load exactly
 * the bytes that were validated, never the file as it is later on disk.
 *
 * Contract: `prepareModelImage(source, bytes, { packColumns })` returns the image plus a sentence
 * for the log saying what was packed or why nothing was; it throws the decoder's message for
 * bytes that are not a model. It does no I/O. `sessionBytes(image)` is a private copy for one
 * `InferenceSession.create` (ONNX Runtime does not take shared memory); `sessionSource(image)` is
 * the pinned weights file's graph when model-weights-file.ts wrote one, else `sessionBytes`.
 */
import { packGraphInputs, type InputPacking } from '../model/onnx/pack-graph-inputs';

export interface ModelImage {
  /** Where the bytes came from, for messages. */
  readonly source: string;
  /** The bytes sessions load, in a SharedArrayBuffer (one copy for every thread); with `file`, the graph without its weights. */
  readonly bytes: Uint8Array;
  readonly packings: readonly InputPacking[];
  /**
   * Set when the weights were split into a private, read-only file written from `bytes`
   * (model-weights-file.ts): sessions load this graph path and ONNX Runtime maps the weights.
   */
  readonly file?: string;
}

export function prepareModelImage(path: string, original: Uint8Array, options: { packColumns: boolean }): { image: ModelImage; note: string } {
  let bytes: Uint8Array = original;
  let packings: readonly InputPacking[] = [];
  let note = 'column inputs are fed one by one (--pack_feeds off)';
  if (options.packColumns) {
    const packed = packGraphInputs(original, path);
    if ('skipped' in packed) {
      note = `column inputs are fed one by one: ${packed.skipped}`;
    } else {
      ({ bytes, packings } = packed);
      note = packings.map((p) => `inputs ${describeColumns(p.columns)} (${p.dtype} [rows, 1]) reach ONNX Runtime as one [rows, ${p.columns.length}] tensor "${p.packedName}"`).join('; ');
    }
  }
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return { image: { source: path, bytes: shared, packings }, note };
}

export function sessionBytes(image: ModelImage): Uint8Array {
  return new Uint8Array(image.bytes);
}

/** What one `InferenceSession.create` loads: the pinned graph file when there is one, else a private copy of the bytes. */
export function sessionSource(image: ModelImage): string | Uint8Array {
  return image.file ?? sessionBytes(image);
}

function describeColumns(columns: readonly string[]): string {
  return columns.length <= 4 ? columns.join(', ') : `${columns[0]}..${columns[columns.length - 1]}`;
}
