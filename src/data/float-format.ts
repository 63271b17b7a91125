/**
 * Decimal text for dense feature values in the slot format.
 *
 * Contract:
 * - `formatPython2Float(x)` is byte-for-byte CPython 2.7's `str(x)` for a finite double
 *   (`%.12g`, plus `.0` when the text would read as an integer): the spelling of PaddleRec's
 *   own slot files, e.g. `0.0`, `0.00497512437811`, `1.5625e-05`.
 * - `formatFloat32(x)` is the shortest decimal that parses back (through `Math.fround`) to the
 *   same float32, spelled the same way (`0.0`, `0.0049751245`), so a float32 record survives a
 *   format/parse round trip exactly.
 */

function withDotZero(s: string): string {
  return /[.eEn]/.test(s) ? s : `${s}.0`; // 'n' covers nan / inf
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** CPython 2.7 `str(float)`; see the header. */
export function formatPython2Float(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const exponential = x.toExponential(11);
  const ePos = exponential.indexOf('e');
  const exp = Number(exponential.slice(ePos + 1));
  if (exp < -4 || exp >= 12) {
    const mantissa = stripZeros(exponential.slice(0, ePos));
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return withDotZero(stripZeros(x.toFixed(11 - exp)));
}

/** Shortest round-tripping text of a float32 value; see the header. */
export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return formatPython2Float(f);
  for (let precision = 1; precision < 9; precision++) {
    const candidate = Number(f.toPrecision(precision));
    if (Math.fround(candidate) === f) return withDotZero(String(candidate));
  }
  return withDotZero(String(Number(f.toPrecision(9))));
}
