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

// Scratch state of the running hash (single-threaded JS: a module-level pair is safe and avoids
// allocating a tuple per call).
let hi = 0;
let lo = 0;

/** x = x * 1000003 (mod 2^64), on the halves. lo * 1000003 < 2^52 stays exact in a double. */
function step(byte: number): void {
  const low = lo * MULTIPLIER;
  const carry = Math.floor(low / TWO_POW_32);
  lo = (low - carry * TWO_POW_32) ^ byte;
  hi = ((Math.imul(hi, MULTIPLIER) >>> 0) + carry) >>> 0;
  lo >>>= 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Feeds `s` (its UTF-8 bytes) into the running hash; returns the number of bytes fed. */
function feed(s: string): number {
  if (isAscii(s)) {
    for (let i = 0; i < s.length; i++) step(s.charCodeAt(i));
    return s.length;
  }
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) step(bytes[i]);
  return bytes.length;
}

function firstByte(s: string): number {
  const c = s.charCodeAt(0);
  return c <= 0x7f ? c : Buffer.from(s, 'utf8')[0];
}

/**
 * Hashes `prefix + suffix` into `hi`/`lo` (signed-64 bit pattern, -1 already mapped to -2).
 * Returns false for the empty string (whose hash is 0).
 */
function hashInto(prefix: string, suffix: string): boolean {
  const first = prefix.length > 0 ? prefix : suffix;
  if (first.length === 0) {
    hi = 0;
    lo = 0;
    return false;
  }
  // x = b0 << 7 fits in the low half (b0 < 256).
  hi = 0;
  lo = firstByte(first) << 7;
  const length = feed(prefix) + feed(suffix);
  // x ^= len: a JS string's byte length is below 2^32, so only the low half changes.
  lo = (lo ^ length) >>> 0;
  if (hi === 0xffffffff && lo === 0xffffffff) lo = 0xfffffffe; // CPython reserves -1 for errors
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
