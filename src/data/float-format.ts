/**
 * Decimal text for dense feature values in the slot format.
 *
 * Contract:
 * - `formatPython2Float(x)` is byte-for-byte CPython 2.7's `str(x)` for a finite double
 *   (`%.12g`, but exponent form from 1e11 up, plus `.0` when the text would read as an integer):
 *   the spelling of PaddleRec's own slot files, e.g. `0.0`, `0.00497512437811`, `1.5625e-05`.
 * - `shortestFloat32(x)` is JavaScript's spelling of the shortest decimal that parses back
 *   (through `Math.fround`) to the same float32 (`0.1`, `2`), for JSON answers.
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
  const exponential = toExponential11HalfEven(x);
  const ePos = exponential.indexOf('e');
  const exp = Number(exponential.slice(ePos + 1));
  // Python 2's str() switches to exponent form one digit earlier than plain %.12g (at 1e11),
  // so that a float never prints as 12 digits plus the added '.0'.
  if (exp < -4 || exp >= 11) {
    const mantissa = stripZeros(exponential.slice(0, ePos));
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  const [mantissa] = exponential.slice(0, ePos).split('.');
  const digits = mantissa.replace('-', '') + exponential.slice(exponential.indexOf('.') + 1, ePos);
  return withDotZero(stripZeros(placeDecimalPoint(digits, exp, x < 0)));
}

/**
 * `x.toExponential(11)`, but an exact tie at the 12th digit rounds half to even as CPython's
 * dtoa does (JS rounds it away from zero: 123456789012.5 must give 1.23456789012e+11).
 */
function toExponential11HalfEven(x: number): string {
  const rounded = x.toExponential(11);
  const exact = x.toExponential(60); // a 13th digit 5 followed by zeros means an exact tie
  const ePos = exact.indexOf('e');
  const tail = exact.slice(exact.indexOf('.') + 12, ePos);
  if (!/^50*$/.test(tail)) return rounded;
  const truncated = `${exact.slice(0, exact.indexOf('.') + 12)}${exact.slice(ePos)}`;
  const lastDigit = Number(truncated[truncated.indexOf('e') - 1]);
  return lastDigit % 2 === 0 ? truncated : rounded;
}

/** Fixed notation from 12 significant `digits` and a decimal exponent in [-4, 10]. */
function placeDecimalPoint(digits: string, exp: number, negative: boolean): string {
  const sign = negative ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * JavaScript's spelling (`String(n)`) of the shortest decimal that `Math.fround` reads back to
 * `Math.fround(x)`, e.g. `0.1` for `Math.fround(0.1)`; for finite `x`.
 */
export function shortestFloat32(x: number): string {
  const f = Math.fround(x);
  for (let precision = 1; precision < 9; precision++) {
    const candidate = Number(f.toPrecision(precision));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(Number(f.toPrecision(9)));
}
