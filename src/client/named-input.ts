/**
 * Loads a client input named by a flag so that a wrong path names the flag, what it expected and
 * what it got, instead of a raw ENOENT.
 *
 * Contract: `fromFlag(flag, path, expected, load)` throws a FlagError (exit 2) when `path` does
 * not exist, and wraps any error of `load(path)` as `--flag <path>: <message>`.
 */
import * as fs from 'node:fs';
import { FlagError } from '../config/parse-flags';

export async function fromFlag<T>(flag: string, path: string, expected: string, load: (path: string) => T | Promise<T>): Promise<T> {
  if (!fs.existsSync(path)) throw new FlagError([`--${flag} ${path} does not exist; expected ${expected}`]);
  try {
    return await load(path);
  } catch (error) {
    throw new FlagError([`--${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
}
