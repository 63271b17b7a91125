/**
 * Streams Criteo records from a file or a directory of files, in slot or raw format.
 *
 * Contract of `readCriteoRecords(pathOrDir, { format })`:
 * - A file is read line by line (memory stays flat whatever its size); blank lines are skipped.
 * - A directory yields every regular file in it (not recursive), sorted by name with digit runs
 *   compared as numbers (`part-2` before `part-10`). Dotfiles and `*.md` files are skipped, so a
 *   README can sit beside the data. An empty directory is an error.
 * - `format: 'auto'` (the default) decides per file from its first non-blank line: 40
 *   TAB-separated columns → raw; space-separated `key:value` tokens → slot; anything else throws.
 * - Every error names the file and the 1-based line: `<file>: line <n>: <what>`.
 *
 * `batchRecords` and `recordsToFeed` (re-exported here) turn the stream into model feeds.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { CriteoRecord } from './criteo-record';
import { parseRawLine, RAW_COLUMN_COUNT, type RawParseOptions } from './raw-format';
import { parseSlotLine } from './slot-format';

export { batchRecords, type BatchRecordsOptions } from './batch-records';
export { recordsToFeed, DEFAULT_FEED_NAMES, type CriteoFeed, type FeedTensor } from './criteo-feed';

export type CriteoFormat = 'slot' | 'raw';

export interface ReadCriteoOptions extends RawParseOptions {
  /** How lines are parsed; 'auto' (default) detects each file's format from its first line. */
  format?: CriteoFormat | 'auto';
}

const SLOT_TOKEN = /^[^:\s]+:\S*$/;

/** The format of a data line, or undefined when it is neither (see the header). */
export function detectCriteoFormat(line: string): CriteoFormat | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.includes('\t')) return text.split('\t').length === RAW_COLUMN_COUNT ? 'raw' : undefined;
  const tokens = text.trim().split(/\s+/);
  return tokens[0] !== '' && tokens.every((t) => SLOT_TOKEN.test(t)) ? 'slot' : undefined;
}

function describeLine(line: string): string {
  const tabs = line.split('\t').length;
  const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return tabs > 1 ? `${tabs} TAB-separated columns` : `"${shown}"`;
}

/** Natural order: digit runs compare numerically, the rest by code unit. @private */
export function compareFileNames(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    if (bothDigits && BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The data files `readCriteoRecords` reads for `pathOrDir`, in reading order. */
export async function listCriteoFiles(pathOrDir: string): Promise<string[]> {
  const info = await stat(pathOrDir);
  if (!info.isDirectory()) return [pathOrDir];
  const names = (await readdir(pathOrDir)).filter((n) => !n.startsWith('.') && !n.toLowerCase().endsWith('.md'));
  const files: string[] = [];
  for (const name of names.sort(compareFileNames)) {
    const full = path.join(pathOrDir, name);
    if ((await stat(full)).isFile()) files.push(full);
  }
  if (files.length === 0) throw new Error(`${pathOrDir}: directory holds no data files`);
  return files;
}

async function* readFile(file: string, options: ReadCriteoOptions): AsyncGenerator<CriteoRecord> {
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let format: CriteoFormat | undefined = options.format === 'auto' ? undefined : options.format;
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim().length === 0) continue;
      if (format === undefined) {
        format = detectCriteoFormat(line);
        if (format === undefined) {
          throw new Error(
            `line ${lineNumber}: cannot detect the format: expected ${RAW_COLUMN_COUNT} TAB-separated columns ` +
              `(raw Criteo) or space-separated key:value tokens (slot); got ${describeLine(line)}`,
          );
        }
      }
      yield format === 'raw' ? parseRawLine(line, lineNumber, options) : parseSlotLine(line, lineNumber);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${file}: ${message}`, { cause: err });
  } finally {
    lines.close();
    input.destroy(); // an early `break` by the consumer must not leak the descriptor
  }
}

/** Streams the records of a file or directory; see the header for the contract. */
export async function* readCriteoRecords(
  pathOrDir: string,
  options: ReadCriteoOptions = {},
): AsyncGenerator<CriteoRecord> {
  const format = options.format ?? 'auto';
  if (format !== 'auto' && format !== 'slot' && format !== 'raw') {
    throw new Error(`format must be one of "slot", "raw", "auto"; got "${String(format)}"`);
  }
  for (const file of await listCriteoFiles(pathOrDir)) {
    yield* readFile(file, { ...options, format });
  }
}
