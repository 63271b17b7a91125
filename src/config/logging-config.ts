/**
 * Serve flags of the logs: `--log_format text|json` and `--access_log` (one line per request).
 * `--log_level` stays in serve-config.ts.
 *
 * Contract: `loggingConfigFromFlags(flags, problems)` never throws; it pushes one message per
 * bad value into `problems` and returns the defaults for those.
 */
import { LOG_FORMATS, type LogFormat } from '../logging/logger';
import type { FlagSpecs, ParsedFlags } from './parse-flags';

export interface LoggingConfig {
  readonly logFormat: LogFormat;
  readonly accessLog: boolean;
}

export const LOGGING_FLAGS: FlagSpecs = {
  log_format: { kind: 'string', help: 'text (<time> <LEVEL> <message> <fields json>) | json (one object per line: time, level, message, fields)', defaultText: 'text' },
  access_log: { kind: 'boolean', help: 'log one line per request, failed ones included (protocol, method, model, version, rows, status, latency_us, queue_us, compute_us, peer) on stderr in --log_format', defaultText: 'false' },
};

export function loggingConfigFromFlags(flags: ParsedFlags, problems: string[]): LoggingConfig {
  const format = (flags.log_format as string | undefined) ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) problems.push(`--log_format must be one of ${LOG_FORMATS.join(', ')}; got "${format}"`);
  return { logFormat: (LOG_FORMATS as readonly string[]).includes(format) ? format as LogFormat : 'text', accessLog: flags.access_log === true };
}
