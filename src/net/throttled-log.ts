/**
 * Log lines about refused connections and calls, which a scanner or a misconfigured client can
 * cause by the thousand: each kind of line is written the first time and then at most once per
 * `intervalMs`, with the number of the same kind left out since the last one written.
 *
 * Contract: `ThrottledLog.warn(kind, message, fields)` writes at WARN through the logger, or
 * counts the line as suppressed; the count goes out as `suppressed` on the next line of that kind.
 */
import type { Logger } from '../logging/logger';

export class ThrottledLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(private readonly logger: Logger, private readonly intervalMs = 10_000) {}

  warn(kind: string, message: string, fields: Record<string, unknown> = {}): void {
    const nowMs = Date.now();
    const entry = this.last.get(kind);
    if (entry !== undefined && nowMs - entry.atMs < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(kind, { atMs: nowMs, suppressed: 0 });
    this.logger.warn(message, suppressed > 0 ? { ...fields, suppressed } : fields);
  }
}
