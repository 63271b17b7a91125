/**
 * Runs one of our command-line programs as a user does (a child process of `node dist/...`) and
 * collects its exit code, stdout and stderr; and finds a port nothing listens on.
 */
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';

export interface CliRun { code: number; stdout: string; stderr: string; ms: number }

export const CLI_DIR = path.join(REPO_ROOT, 'dist', 'src', 'cli');

export function runCli(script: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [path.isAbsolute(script) ? script : path.join(CLI_DIR, script), ...args],
      { cwd: options.cwd ?? REPO_ROOT, timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      });
  });
}

/** A loopback port that was free a moment ago (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Holds a loopback port (as another program would) until `close()`. */
export async function busyPort(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
