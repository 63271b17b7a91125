/**
 * PaddleRec's "slot" text format for Criteo: one sample per line, space-separated `key:value`
 * tokens, `click:<0|1>`, 13 × `dense_feature:<float>`, then `1:<id>` … `26:<id>`.
 *
 * Contract of `parseSlotLine`:
 * - Token order does not matter, except among `dense_feature` tokens: the k-th one is I_k. A
 *   missing slot is id 0, dense values beyond the last token are 0, and a missing `click` leaves
 *   `label` undefined.
 * - Stricter than PaddleRec's reader, which silently skips what it does not know: a token
 *   without `:`, an unknown key, a non-numeric value, a label other than 0/1, a negative or
 *   non-integer id, a repeated slot or `click`, or more than 13 dense values throws an `Error`
 *   whose message starts with `line <n>:` and quotes the offending token.
 * (The inverse, for tests, is test/helpers/slot-line.ts.)
 */
import { createCriteoRecord, NUM_DENSE_FEATURES, NUM_SPARSE_SLOTS, type CriteoRecord } from './criteo-record';

const MAX_INT64 = (1n << 63n) - 1n;

function fail(lineNumber: number, message: string): never {
  throw new Error(`line ${lineNumber}: ${message}`);
}

/** Non-negative decimal integer as bigint, or undefined when `s` is not one / exceeds int64. */
function parseIdToken(s: string): bigint | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  if (n <= 15) {
    // Fast path: at most 15 digits is below 2^53, exact in a double.
    let value = 0;
    for (let i = 0; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      value = value * 10 + d;
    }
    return BigInt(value);
  }
  if (!/^\d+$/.test(s)) return undefined;
  const big = BigInt(s);
  return big <= MAX_INT64 ? big : undefined;
}

/** Slot number 1..26 of a key, or 0 when the key is not a slot number. */
function slotNumber(key: string): number {
  if (key.length === 0 || key.length > 2) return 0;
  let k = 0;
  for (let i = 0; i < key.length; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 0;
    k = k * 10 + d;
  }
  return k >= 1 && k <= NUM_SPARSE_SLOTS && key[0] !== '0' ? k : 0;
}

/** Parses one slot-format line (1-based `lineNumber` is used in error messages only). */
export function parseSlotLine(line: string, lineNumber = 1): CriteoRecord {
  const text = line.trim();
  if (text.length === 0) fail(lineNumber, 'empty line; expected space-separated key:value tokens');
  const tokens = text.split(/\s+/);
  const record = createCriteoRecord();
  const seen = new Uint8Array(NUM_SPARSE_SLOTS + 1);
  let denseCount = 0;
  for (const token of tokens) {
    const colon = token.indexOf(':');
    if (colon <= 0) fail(lineNumber, `expected a key:value token; got "${token}"`);
    const key = token.slice(0, colon);
    const value = token.slice(colon + 1);
    const slot = slotNumber(key);
    if (slot > 0) {
      if (seen[slot] === 1) fail(lineNumber, `slot ${slot} appears more than once ("${token}")`);
      seen[slot] = 1;
      const id = parseIdToken(value);
      if (id === undefined) fail(lineNumber, `slot ${slot}: expected a non-negative int64 id; got "${token}"`);
      record.sparse[slot - 1] = id;
    } else if (key === 'dense_feature') {
      if (denseCount === NUM_DENSE_FEATURES) {
        fail(lineNumber, `expected at most ${NUM_DENSE_FEATURES} dense_feature tokens; got more ("${token}")`);
      }
      const x = value.length === 0 ? NaN : Number(value);
      if (Number.isNaN(x)) fail(lineNumber, `dense_feature ${denseCount + 1}: expected a number; got "${token}"`);
      record.dense[denseCount++] = x;
    } else if (key === 'click') {
      if (record.label !== undefined) fail(lineNumber, `click appears more than once ("${token}")`);
      if (value !== '0' && value !== '1') fail(lineNumber, `click: expected 0 or 1; got "${token}"`);
      record.label = value === '1' ? 1 : 0;
    } else {
      fail(lineNumber, `unknown key "${key}" in "${token}"; expected click, dense_feature or 1..${NUM_SPARSE_SLOTS}`);
    }
  }
  return record;
}
