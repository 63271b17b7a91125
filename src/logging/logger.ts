/**
 * Minimal structured logger: one line per event on stderr, in `text` format
 * `<ISO time> <LEVEL> <message> <fields as json>`, or in `json` format one JSON object per line:
 * `{"time":"<ISO>","level":"info","message":"...", ...fields}` (a field named like one of those
 * three keys is written as `field.<name>`).
 *
 * Contract: `createLogger` is the only constructor; level filtering is done once per call.
 * Tests pass a `sink` to capture lines.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogFormat = 'text' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export function createLogger(level: LogLevel = 'info', sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`), format: LogFormat = 'text'): Logger {
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    sink(formatLogLine(format, at, message, fields));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** One log line in `format` (also used by the access log). */
export function formatLogLine(format: LogFormat, level: string, message: string, fields?: Record<string, unknown>): string {
  const time = new Date().toISOString();
  if (format === 'text') return `${time} ${level.toUpperCase()} ${message}${fields === undefined ? '' : ` ${safeJson(fields)}`}`;
  const record: Record<string, unknown> = { time, level, message };
  if (fields !== undefined) for (const [key, value] of Object.entries(fields)) record[key in record ? `field.${key}` : key] = value;
  return safeJson(record);
}

function safeJson(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
    return value;
  });
}
