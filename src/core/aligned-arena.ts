/**
 * Copies byte ranges into ONE fresh ArrayBuffer, each starting at a multiple of 8 bytes, so typed
 * views of any element size (BigInt64Array, Float64Array) can be laid over them.
 *
 * Contract: `offsets[i]` is where `sources[i]` starts in `buffer`; `buffer.byteLength` is the end
 * of the last range rounded up to 8. One allocation and one copy per source.
 */

export interface AlignedArena {
  readonly buffer: ArrayBuffer;
  readonly offsets: number[];
}

const align8 = (n: number): number => (n + 7) & ~7;

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
