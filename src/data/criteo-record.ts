/**
 * One Criteo sample as every reader in `src/data/` returns it.
 *
 * Contract:
 * - `dense` has exactly 13 float32 values (I1..I13, already normalised; a missing one is 0).
 * - `sparse` has exactly 26 int64 ids; slot k (1..26, i.e. C_k) is at index k - 1; a missing
 *   slot is id 0 (the padding row of the embedding tables).
 * - `label` is the click (0 or 1) when the source carries one; inference inputs may omit it.
 */

/** Dense features per sample (I1..I13). */
export const NUM_DENSE_FEATURES = 13;
/** Sparse slots per sample (C1..C26). */
export const NUM_SPARSE_SLOTS = 26;

export interface CriteoRecord {
  label?: number;
  dense: Float32Array;
  sparse: BigInt64Array;
}

/** A record with every dense value 0, every id 0 and no label. */
export function createCriteoRecord(): CriteoRecord {
  return {
    dense: new Float32Array(NUM_DENSE_FEATURES),
    sparse: new BigInt64Array(NUM_SPARSE_SLOTS),
  };
}
