/**
 * Copies byte ranges into ONE fresh ArrayBuffer, each starting at a multiple of 8 bytes, so typed
 * views of any element size (BigInt64Array, Float64Array) can be laid over them.
 *
 * Contract: `offsets[i]` is where `sources[i]` starts in `buffer`; `buffer.byteLength` is the end
 * of the last range rounded up to 8. One allocation and one copy per source.
 * `copyRangesIntoAlignedArena(source, starts, lengths)` does the same for ranges of one source
 * (e.g. a request message's tensor payloads) without a view per range, into `requestArena` memory:
 * `offsets` are then from the start of `buffer`, and `movable` says whether `buffer` is the
 * arena's own (it may be transferred) or shared (it must never be).
 *
 * `requestArena(bytes)`: zeroed memory for one request's decoded inputs, starting 8-byte aligned.
 * A small arena (under half of `Buffer.poolSize`, 4 KiB by default: a batch-5 Criteo request's
 * 1.3 KB) is a slice of Node's shared Buffer pool, so decoding a request allocates no ArrayBuffer
 * of its own; such memory is shared with every other pool slice and is not `movable`. A larger one
 * (or a pool slice that is not 8-byte aligned) is a fresh ArrayBuffer of its own, `movable`.
 */

export interface AlignedArena {
  readonly buffer: ArrayBuffer;
  readonly offsets: number[];
}

export interface RequestArena {
  readonly buffer: ArrayBuffer;
  /** Where the arena starts in `buffer` (a multiple of 8). */
  readonly base: number;
  /** `buffer` is the arena's own and may be transferred; false: shared, never transfer it. */
  readonly movable: boolean;
}

export function requestArena(bytes: number): RequestArena {
  if (bytes > 0 && bytes < Buffer.poolSize >>> 1) {
    const slice = Buffer.allocUnsafe(bytes);
    if (slice.byteOffset % 8 === 0) {
      slice.fill(0);
      return { buffer: slice.buffer as ArrayBuffer, base: slice.byteOffset, movable: false };
    }
  }
  return { buffer: new ArrayBuffer(bytes), base: 0, movable: true };
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

export function copyRangesIntoAlignedArena(source: Uint8Array, starts: ArrayLike<number>, lengths: ArrayLike<number>): AlignedArena & { readonly movable: boolean } {
  const offsets = new Array<number>(starts.length);
  let end = 0;
  for (let i = 0; i < starts.length; i++) {
    offsets[i] = align8(end);
    end = offsets[i] + lengths[i];
  }
  const { buffer, base, movable } = requestArena(align8(end));
  for (let i = 0; i < offsets.length; i++) offsets[i] += base;
  const target = new Uint8Array(buffer);
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i];
    const length = lengths[i];
    const to = offsets[i];
    if (length > SMALL_COPY_BYTES) target.set(source.subarray(from, from + length), to);
    else for (let b = 0; b < length; b++) target[to + b] = source[from + b];
  }
  return { buffer, offsets, movable };
}
