/**
 * Progress lines on stderr while a benchmark runs: `[+12.3s phase] message`.
 *
 * Contract: `createProgress(phase, sink?)` returns a function that writes one line per call,
 * prefixed with the seconds since the process started; tests pass a sink.
 */
import { performance } from 'node:perf_hooks';

export function createProgress(phase: string, sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): (message: string) => void {
  return (message) => sink(`[+${(performance.now() / 1000).toFixed(1)}s ${phase}] ${message}`);
}
