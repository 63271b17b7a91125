/**
 * Files the server reads at start-up and again whenever they change on disk: TLS certificates
 * renewed by cert-manager or certbot, rotated token files, Kubernetes Secret volumes (whose files
 * are symlinks swapped atomically).
 *
 * Contract: `loadAndWatch(paths, parse, apply, options)` stats, reads and parses the files and
 * applies the result, rejecting (the server then refuses to start) when they cannot be read or
 * parsed. Every `intervalMs` (0: never) it stats them again (following symlinks, without blocking
 * the event loop); when any size, mtime, ctime or inode differs, it reads and parses them all again
 * and applies the result. A change that cannot be read or parsed is reported to `onRejected` with
 * the reason and the previous result stays in force; it is tried again at the next change. One
 * check runs at a time. `stop()` ends the polling.
 */
import { promises as fsp } from 'node:fs';

export interface WatchOptions {
  readonly intervalMs: number;
  /** The reloaded files were applied. */
  readonly onApplied?: () => void;
  /** The changed files were not applied (the old ones stay in force), with why. */
  readonly onRejected: (reason: string) => void;
}

export interface FileWatch {
  stop(): void;
}

export async function loadAndWatch<T>(
  paths: readonly string[],
  parse: (contents: readonly Buffer[]) => T,
  apply: (value: T) => void,
  options: WatchOptions,
): Promise<FileWatch> {
  let signature = await signatureOf(paths);
  apply(parse(await readAll(paths)));
  if (options.intervalMs <= 0) return { stop: () => undefined };
  const check = async () => {
    let next: string;
    try {
      next = await signatureOf(paths);
    } catch (error) {
      const reason = messageOf(error);
      if (reason !== signature) options.onRejected(reason);
      signature = reason;
      return;
    }
    if (next === signature) return;
    signature = next;
    try {
      apply(parse(await readAll(paths)));
      options.onApplied?.();
    } catch (error) {
      options.onRejected(messageOf(error));
    }
  };
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check().finally(() => { checking = false; });
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function signatureOf(paths: readonly string[]): Promise<string> {
  const stats = await Promise.all(paths.map(async (path) => {
    try {
      return await fsp.stat(path);
    } catch (error) {
      throw new Error(`cannot read ${path}: ${messageOf(error)}`, { cause: error });
    }
  }));
  return stats.map((s) => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`).join('|');
}

async function readAll(paths: readonly string[]): Promise<Buffer[]> {
  return Promise.all(paths.map(async (path) => {
    try {
      return await fsp.readFile(path);
    } catch (error) {
      throw new Error(`cannot read ${path}: ${messageOf(error)}`, { cause: error });
    }
  }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
