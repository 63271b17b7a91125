/**
 * The id hash PaddleRec used to turn raw Criteo categorical values into embedding rows.
 *
 * Contract:
 * - `cpython2StringHash(s)` equals CPython 2.7's 64-bit `hash(s)` for a `str` (a byte string;
 *   a JS string is taken as its UTF-8 bytes) with hash randomisation off (the default):
 *   `x = b[0] << 7; for b: x = (1000003 * x) ^ b (mod 2^64); x ^= len`, read as signed 64-bit,
 *   `-1` becomes `-2`, and the empty string hashes to 0.
 * - `criteoCategoricalId(column, value)` is `hash(str(column) + value) % vocabularySize` with
 *   Python's modulo (the result is in `[0, vocabularySize)` even for a negative hash). `column` is
 *   the raw TSV column index (14..39 for C1..C26). Example: `(14, '05db9164')` → 737395.
 *
 * The arithmetic runs on two unsigned 32-bit halves held in doubles (no BigInt), so an id costs a
 * few multiplications per byte; only `cpython2StringHash` builds a BigInt, for its return value.
 */

/** PaddleRec's vocabulary: ids 0..1,000,000 (`hash_dim_` in its `get_slot_data.py`). */
export const CRITEO_VOCABULARY_SIZE = 1_000_001;

const MULTIPLIER = 1_000_003;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;

// Result of the last `hashInto` (signed-64 bit pattern as two uint32 halves). Single-threaded JS:
// module-level state is safe and saves allocating a pair per call.
let hi = 0;
let lo = 0;

function utf8(s: string): string | Uint8Array {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'utf8');
  return s; // ASCII: char codes are the bytes
}

function byteAt(bytes: string | Uint8Array, i: number): number {
  return typeof bytes === 'string' ? bytes.charCodeAt(i) : bytes[i];
}

/**
 * Hashes the bytes of `prefix + suffix` into `hi`/`lo` (-1 already mapped to -2). Returns false
 * for the empty string (whose hash is 0).
 */
function hashInto(prefixText: string, suffixText: string): boolean {
  const prefix = utf8(prefixText);
  const suffix = utf8(suffixText);
  const length = prefix.length + suffix.length;
  if (length === 0) {
    hi = 0;
    lo = 0;
    return false;
  }
  let h = 0;
  let l = (prefix.length > 0 ? byteAt(prefix, 0) : byteAt(suffix, 0)) << 7; // x = b0 << 7
  for (let part = 0; part < 2; part++) {
    const bytes = part === 0 ? prefix : suffix;
    for (let i = 0; i < bytes.length; i++) {
      // x = (x * 1000003) ^ b (mod 2^64) on the halves: l * 1000003 < 2^52 is exact in a double,
      // its low 32 bits come from Math.imul and the rest is the carry into the high half.
      const product = l * MULTIPLIER;
      const low = Math.imul(l, MULTIPLIER) >>> 0;
      const carry = (product - low) * TWO_POW_MINUS_32;
      h = (Math.imul(h, MULTIPLIER) + carry) >>> 0;
      l = (low ^ byteAt(bytes, i)) >>> 0;
    }
  }
  // x ^= len: a string's byte length is below 2^32, so only the low half changes.
  l = (l ^ length) >>> 0;
  if (h === 0xffffffff && l === 0xffffffff) l = 0xfffffffe; // CPython reserves -1 for errors
  hi = h;
  lo = l;
  return true;
}

/** CPython 2.7's 64-bit `hash()` of a byte string (see the header), as a signed 64-bit BigInt. */
export function cpython2StringHash(s: string): bigint {
  if (!hashInto('', s)) return 0n;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** Python's `a % m` for the signed 64-bit value held in `hi`/`lo` and 0 < m < 2^26. */
function pythonModulo(m: number): number {
  const signedHi = hi | 0; // the high half carries the sign
  const pow32 = TWO_POW_32 % m;
  // (signedHi mod m) * (2^32 mod m) < 2^52 and + lo < 2^53: exact in a double.
  const r = ((signedHi % m) * pow32 + lo) % m;
  return r < 0 ? r + m : r;
}

/**
 * PaddleRec's id for raw Criteo categorical `value` in TSV column `column` (14..39):
 * `hash(str(column) + value) % vocabularySize`, non-negative. An empty value hashes `str(column)`
 * alone, as PaddleRec's converter did (it is a regular id, not 0).
 */
export function criteoCategoricalId(
  column: number,
  value: string,
  vocabularySize: number = CRITEO_VOCABULARY_SIZE,
): number {
  if (!Number.isInteger(vocabularySize) || vocabularySize < 1 || vocabularySize >= 2 ** 26) {
    throw new RangeError(`vocabularySize must be an integer in [1, 2^26); got ${vocabularySize}`);
  }
  if (!Number.isInteger(column) || column < 0) {
    throw new RangeError(`column must be a non-negative integer; got ${column}`);
  }
  if (!hashInto(String(column), value)) return 0;
  return pythonModulo(vocabularySize);
}
