/**
 * `--processes N`: serving processes on the one port (node:cluster; src/cluster/).
 *
 * Contract: `PROCESS_FLAGS` joins SERVE_FLAGS; `processesFromFlags(flags, problems)` returns N
 * (default 1) or adds a problem naming the value. The CPU budget divides top down: each process
 * gets floor(cores / N) cores (at least 1), and within a process the defaults of `--thread` and
 * `--cpu_threads` split that share as before, so processes x workers x intra-op threads = cores.
 */
import type { FlagSpecs, ParsedFlags } from './parse-flags';

const MAX_PROCESSES = 64;

export const PROCESS_FLAGS: FlagSpecs = {
  processes: { kind: 'integer', help: `serving processes sharing the one port (node:cluster; connections are spread round robin over them), each with its own workers and a share of floor(cores / N) cores; 1..${MAX_PROCESSES}`, defaultText: '1' },
};

export function processesFromFlags(flags: ParsedFlags, problems: string[]): number {
  const value = flags.processes;
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_PROCESSES) {
    problems.push(`--processes must be an integer in 1..${MAX_PROCESSES}; got ${String(value)}`);
    return 1;
  }
  return value;
}

/** The cores one process's defaults divide among its workers. */
export function coresPerProcess(cores: number, processes: number): number {
  return Math.max(1, Math.floor(cores / processes));
}
