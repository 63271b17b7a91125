/**
 * `rec-serve` as a child process (the real CLI) on a free loopback port: resolves once it logs
 * the port it serves on (text or JSON log format); `stop()` sends SIGTERM and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/model/repo-root';

export interface ServeChild {
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  stop(): Promise<number | null>;
}

const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
const PORT_LINE = /serving \\?"[^"\\]*\\?" on [^\s]+?:(\d+)/;

export function startServeChild(args: readonly string[], timeoutMs = 60_000): Promise<ServeChild> {
  const child = spawn(process.execPath, [SERVE, '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`rec-serve did not log its port within ${timeoutMs} ms:\n${stderr}`)); }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = PORT_LINE.exec(stderr);
      if (match !== null && timer.hasRef()) {
        clearTimeout(timer);
        timer.unref();
        resolve({
          port: Number(match[1]),
          process: child,
          stderr: () => stderr,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`rec-serve exited with ${code} before serving:\n${stderr}`)); });
  });
}
