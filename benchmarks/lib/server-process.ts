/**
 * Runs a server (rec-serve or the echo server) as a separate Node process, the way users deploy
 * it, and finds its port from the "serving ... on host:port" line it logs.
 *
 * Contract: `startServerProcess(script, args)` resolves once that line appears (the model is
 * warm by then), with the address and `stop()`; it rejects with the process's last stderr lines
 * when it exits first or stays silent past `startTimeoutMs`. `stop()` sends SIGTERM, waits for
 * exit (SIGKILL after `stopTimeoutMs`) and never throws. The process is killed with the benchmark
 * (Ctrl-C, SIGTERM, exit: child-cleanup.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from './child-cleanup';

export interface ServerProcess {
  readonly address: string;
  readonly pid: number;
  /** Everything the process wrote on stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartServerProcessOptions {
  readonly startTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const SERVING_LINE = /serving .* on (\S+):(\d+)/;

export function startServerProcess(script: string, args: readonly string[], options: StartServerProcessOptions = {}): Promise<ServerProcess> {
  const child: ChildProcess = trackChild(spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env }));
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${script} did not report "serving ... on host:port" within ${options.startTimeoutMs ?? 120_000} ms; its output:\n${output.slice(-2000)}`));
    }, options.startTimeoutMs ?? 120_000);
    const check = () => {
      const match = SERVING_LINE.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      const host = match[1] === '0.0.0.0' || match[1] === '::' ? '127.0.0.1' : match[1];
      resolve({ address: `${host}:${match[2]}`, pid: child.pid!, log: () => output, stop });
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}, signal ${signal}) before serving; its output:\n${output.slice(-2000)}`));
    });
  });
}
