/**
 * rec-client's failed-request lines: Paddle's `[client]logid=N,error=<code>,<message>` for the
 * first request failing with a given message, then only a count, so a run against a broken or
 * missing server prints each distinct problem once.
 *
 * Contract: `record(requestId, error)` prints a new message at once (an UNAVAILABLE one only once
 * a request has succeeded, or at `flush()` unless nothing answered at all) and counts repeats;
 * `flush()` prints `(N more requests failed with: <message>)` for each repeated one.
 * `nothingAnswers(threads)` is true while no request succeeded and at least `threads` failed
 * because no connection could be made (`unreachable` is then the reason); `succeeded()` resets it.
 */
import { Code, type ServingError } from '../core/errors';
import { unreachableReason } from './unreachable-server';

export class FailureLog {
  private readonly repeats = new Map<string, number>();
  private connectionFailures = 0;
  private anySuccess = false;
  private readonly held: string[] = [];
  /** Why no connection could be made (the last such failure), or undefined. */
  unreachable: string | undefined;

  constructor(private readonly write: (line: string) => void) {}

  record(requestId: number, error: ServingError): void {
    const reason = unreachableReason(error);
    if (reason !== undefined) {
      this.connectionFailures++;
      this.unreachable = reason;
    }
    const key = `${error.code},${error.rawMessage}`;
    const seen = this.repeats.get(key);
    if (seen === undefined) {
      this.repeats.set(key, 0);
      const line = `[client]logid=${requestId},error=${key}`;
      // Until something answered, UNAVAILABLE lines wait: if nothing answers at all, the caller
      // says that once in plain words instead.
      if (this.anySuccess || error.code !== Code.UNAVAILABLE) this.write(line);
      else this.held.push(line);
    } else {
      this.repeats.set(key, seen + 1);
    }
  }

  succeeded(): void {
    if (this.anySuccess) return;
    this.anySuccess = true;
    for (const line of this.held.splice(0)) this.write(line);
  }

  nothingAnswers(threads: number): boolean {
    return !this.anySuccess && this.connectionFailures >= Math.max(1, threads);
  }

  flush(): void {
    if (this.nothingAnswers(1)) return;
    for (const line of this.held.splice(0)) this.write(line);
    for (const [key, count] of this.repeats) if (count > 0) this.write(`[client](${count} more request${count === 1 ? '' : 's'} failed with: error=${key})`);
  }
}
