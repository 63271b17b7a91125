/**
 * Raw Kaggle Criteo lines (`train.txt` of the Display Advertising Challenge) to records, exactly
 * as PaddleRec's `get_slot_data.py` converted them to its slot files.
 *
 * Contract of `parseRawLine`:
 * - The line has 40 TAB-separated columns: label (0/1), I1..I13 (integers, may be empty),
 *   C1..C26 (hex strings, may be empty). A trailing `\r` is ignored.
 * - Dense I_i becomes `(x - CRITEO_CONT_MIN[i]) / CRITEO_CONT_DIFF[i]` (no clipping: values
 *   can exceed 1), an empty column 0.
 * - Categorical column c (14..39) becomes `criteoCategoricalId(c, value)`; an empty value still
 *   hashes (`str(c)` alone), so it is a regular id, never 0.
 * - Anything else (wrong column count, a label other than 0/1, a non-numeric dense value)
 *   throws an `Error` whose message starts with `line <n>:`.
 */
import { criteoCategoricalId, CRITEO_VOCABULARY_SIZE } from './criteo-hash';
import { createCriteoRecord, NUM_DENSE_FEATURES, NUM_SPARSE_SLOTS, type CriteoRecord } from './criteo-record';

/** Columns of a raw line: label + 13 dense + 26 categorical. */
export const RAW_COLUMN_COUNT = 1 + NUM_DENSE_FEATURES + NUM_SPARSE_SLOTS;
/** TSV column of C1 (C_k is at `FIRST_CATEGORICAL_COLUMN + k - 1`). */
export const FIRST_CATEGORICAL_COLUMN = 1 + NUM_DENSE_FEATURES;

/** PaddleRec's `cont_min_` for I1..I13. */
export const CRITEO_CONT_MIN: readonly number[] = Object.freeze([0, -3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/** PaddleRec's `cont_diff_` (max - min, rounded) for I1..I13. */
export const CRITEO_CONT_DIFF: readonly number[] = Object.freeze(
  [20, 603, 100, 50, 64000, 500, 100, 50, 500, 10, 10, 10, 50],
);

export interface RawParseOptions {
  /** Rows of the embedding tables; ids are taken modulo this. Default 1,000,001. */
  vocabularySize?: number;
}

/** Parses one raw Criteo TSV line (1-based `lineNumber` is used in error messages only). */
export function parseRawLine(line: string, lineNumber = 1, options: RawParseOptions = {}): CriteoRecord {
  const vocabularySize = options.vocabularySize ?? CRITEO_VOCABULARY_SIZE;
  const columns = (line.endsWith('\r') ? line.slice(0, -1) : line).split('\t');
  if (columns.length !== RAW_COLUMN_COUNT) {
    throw new Error(`line ${lineNumber}: expected ${RAW_COLUMN_COUNT} TAB-separated columns; got ${columns.length}`);
  }
  const record = createCriteoRecord();
  const label = columns[0];
  if (label !== '0' && label !== '1') {
    throw new Error(`line ${lineNumber}: label (column 0): expected 0 or 1; got "${label}"`);
  }
  record.label = label === '1' ? 1 : 0;
  for (let i = 0; i < NUM_DENSE_FEATURES; i++) {
    const text = columns[1 + i];
    if (text.length === 0) continue;
    const x = Number(text);
    if (Number.isNaN(x) || text.trim() !== text) {
      throw new Error(`line ${lineNumber}: I${i + 1} (column ${1 + i}): expected a number or empty; got "${text}"`);
    }
    record.dense[i] = (x - CRITEO_CONT_MIN[i]) / CRITEO_CONT_DIFF[i];
  }
  for (let k = 0; k < NUM_SPARSE_SLOTS; k++) {
    const column = FIRST_CATEGORICAL_COLUMN + k;
    record.sparse[k] = BigInt(criteoCategoricalId(column, columns[column], vocabularySize));
  }
  return record;
}
