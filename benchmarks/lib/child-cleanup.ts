/**
 * No benchmark leaves a server behind: every child process a benchmark starts is tracked here
 * and killed when the benchmark exits, however it exits (normal end, an exception, Ctrl-C
 * (SIGINT), SIGTERM or SIGHUP).
 *
 * Contract: `trackChild(child)` registers the child until it exits. The first call installs the
 * handlers: on SIGINT/SIGTERM/SIGHUP every tracked child gets SIGTERM, and the benchmark exits
 * with 128 + the signal number once they are gone (SIGKILL after `graceMs`); on 'exit' (no
 * time left to wait) every tracked child still running gets SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';

const children = new Set<ChildProcess>();
let installed = false;
const graceMs = 5000;

export function trackChild<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!installed) install();
  return child;
}

/** How many tracked children are still running (tests). */
export function trackedChildren(): number {
  return children.size;
}

function install(): void {
  installed = true;
  process.once('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${children.size} child process(es) and exiting\n`);
      const pending = [...children].map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }));
      const code = 128 + (os.constants.signals[signal] ?? 1);
      const timer = setTimeout(() => process.exit(code), graceMs);
      void Promise.all(pending).then(() => {
        clearTimeout(timer);
        process.exit(code);
      });
    });
  }
}
