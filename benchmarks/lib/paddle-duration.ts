/**
 * Durations in the style of Paddle's published DeepFM table: `14 min 50.482 s`,
 * `1 h 12 min 15.739 s`, `4 min 32.014 s`; and the parser for those strings.
 *
 * Contract: `formatPaddleDuration(ms)` prints hours only when ≥ 1 h and minutes only when ≥ 1 min,
 * seconds always with 3 decimals (milliseconds). `parsePaddleDuration` is its inverse to the
 * millisecond and throws on text that is not in that form.
 */

export function formatPaddleDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`duration must be a non-negative number of milliseconds; got ${ms}`);
  const totalMs = Math.round(ms);
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const seconds = (totalMs % 60_000) / 1000;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours} h`);
  if (hours > 0 || minutes > 0) parts.push(`${minutes} min`);
  parts.push(`${seconds.toFixed(3)} s`);
  return parts.join(' ');
}

const PATTERN = /^(?:(\d+) h )?(?:(\d+) min )?(\d+(?:\.\d+)?) s$/;

export function parsePaddleDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  if (match === null) throw new Error(`expected a duration like "1 h 12 min 15.739 s"; got "${text}"`);
  const [, h, m, s] = match;
  return Math.round((Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s)) * 1000);
}
