/**
 * Copies byte ranges into ONE fresh ArrayBuffer, each starting at a multiple of 8 bytes, so typed
 * views of any element size (BigInt64Array, Float64Array) can be laid over them.
 *
 * Contract: `offsets[i]` is where `sources[i]` starts in `buffer`; `buffer.byteLength` is the end
 * of the last range rounded up to 8. One allocation and one copy per source.
 * `copyRangesIntoAlignedArena(source, starts, lengths)` does the same for ranges of one source
 * (e.g. a request message's tensor payloads) without a view per range.
 */

export interface AlignedArena {
  readonly buffer: ArrayBuffer;
  readonly offsets: number[];
}

export const align8 = (n: number): number => (n + 7) & ~7;

/** Ranges up to this size are copied byte by byte (no view per range); larger ones with `set`. */
const SMALL_COPY_BYTES = 512;

export function copyIntoAlignedArena(sources: readonly Uint8Array[]): AlignedArena {
  const offsets = new Array<number>(sources.length);
  let end = 0;
  for (let i = 0; i < sources.length; i++) {
    offsets[i] = align8(end);
    end = offsets[i] + sources[i].byteLength;
  }
  const buffer = new ArrayBuffer(align8(end));
  const target = new Uint8Array(buffer);
  for (let i = 0; i < sources.length; i++) target.set(sources[i], offsets[i]);
  return { buffer, offsets };
}

export function copyRangesIntoAlignedArena(source: Uint8Array, starts: ArrayLike<number>, lengths: ArrayLike<number>): AlignedArena {
  const offsets = new Array<number>(starts.length);
  let end = 0;
  for (let i = 0; i < starts.length; i++) {
    offsets[i] = align8(end);
    end = offsets[i] + lengths[i];
  }
  const buffer = new ArrayBuffer(align8(end));
  const target = new Uint8Array(buffer);
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i];
    const length = lengths[i];
    const to = offsets[i];
    if (length > SMALL_COPY_BYTES) target.set(source.subarray(from, from + length), to);
    else for (let b = 0; b < length; b++) target[to + b] = source[from + b];
  }
  return { buffer, offsets };
}
