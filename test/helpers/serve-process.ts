/**
 * Runs the real `rec-serve` CLI in a child process (as a user or an orchestrator does) and waits
 * for the log line that says it serves; collects its stderr and tells how it exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** The metrics port, when `--enable_prometheus` was given. */
  readonly metricsPort: number | undefined;
  log(): string;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** `ready` matches the line that carries the serving port in group 1 (default: a single process's line). */
export function startServeProcess(args: string[], options: { ready?: RegExp; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  // The text log line, or the same line inside a JSON log record (quotes escaped).
  const ready = options.ready ?? /serving \\?"[^"\\]*\\?" on [^\s]+?:(\d+)/;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], ...(options.env === undefined ? {} : { env: options.env }) });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const wantsMetrics = args.includes('--enable_prometheus');
  return new Promise<ServeProcess>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`rec-serve did not report ready within ${options.timeoutMs ?? 60000} ms:\n${log}`)); }, options.timeoutMs ?? 60000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = ready.exec(log);
      const metrics = /on http:\/\/[^:]+:(\d+)\/metrics/.exec(log);
      if (match && (!wantsMetrics || metrics)) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(match[1]),
          metricsPort: metrics ? Number(metrics[1]) : undefined,
          log: () => log,
          exited,
          stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; },
        });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`rec-serve exited with ${code} before serving:\n${log}`)); });
  });
}
