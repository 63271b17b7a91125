/**
 * Writes synthetic Criteo-shaped data (see `criteo-line-generator.ts`) in PaddleRec's slot
 * format, to one file or split over `part-0` … `part-<K-1>` in a directory. Library and CLI.
 *
 * Contract of `generateCriteoSlotFiles`:
 * - Deterministic: the same `lines`, `seed` and `files` give the same bytes. The split does not
 *   change the data: the parts, concatenated in order, equal the single-file output.
 * - Streams: lines are joined into chunks of about 1 MiB and written with backpressure, so
 *   memory stays flat for any number of lines.
 * - With `files: K` the K parts share the lines as evenly as possible (the first ones get one
 *   more); `outPath` is then a directory, created if needed.
 *
 * CLI: `rec-serving generate-data --out FILE [--lines 1800000] [--seed 1] [--files K]` (cli/generate-data.ts,
 * with --help); the older form `node dist/src/data/generate-criteo.js --out FILE ...` still works.
 * It prints progress to stderr and the final rate to stdout.
 *
 * The bundled client sample `serving_client/sample_data/part-0` (200 lines) was made with:
 *   node dist/src/data/generate-criteo.js --lines 200 --seed 1 --out serving_client/sample_data/part-0
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { createCriteoLineGenerator } from './criteo-line-generator';

/** About the size of Criteo's test split in Paddle's published benchmark. */
export const DEFAULT_LINES = 1_800_000;
export const DEFAULT_SEED = 1;
const CHUNK_CHARS = 1 << 20;

export interface GenerateProgress {
  linesWritten: number;
  linesTotal: number;
  elapsedMs: number;
}

export interface GenerateCriteoOptions {
  /** Output file, or with `files` the output directory. */
  outPath: string;
  /** Lines (samples) to write in total. Default 1,800,000; 0 writes empty files. */
  lines?: number;
  /** Generator seed, an integer in [0, 2^32). Default 1. */
  seed?: number;
  /** Split into this many files `part-0` … inside `outPath`. Default: one file at `outPath`. */
  files?: number;
  /** Called at most once per `progressIntervalMs` while writing, and once at the end. */
  onProgress?: (progress: GenerateProgress) => void;
  /** Minimum time between `onProgress` calls, in milliseconds. Default 1000. */
  progressIntervalMs?: number;
}

export interface GenerateCriteoResult {
  files: string[];
  lines: number;
  bytes: number;
  elapsedMs: number;
}

function validate(options: GenerateCriteoOptions): { lines: number; seed: number } {
  const lines = options.lines ?? DEFAULT_LINES;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(lines) || lines < 0) throw new RangeError(`lines must be a non-negative integer; got ${lines}`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new RangeError(`seed must be an integer in [0, 2^32); got ${seed}`);
  }
  if (options.files !== undefined && (!Number.isInteger(options.files) || options.files < 1)) {
    throw new RangeError(`files must be a positive integer; got ${options.files}`);
  }
  return { lines, seed };
}

/** Generates the data; see the header for the contract. */
export async function generateCriteoSlotFiles(options: GenerateCriteoOptions): Promise<GenerateCriteoResult> {
  const { lines, seed } = validate(options);
  const started = performance.now();
  const generator = createCriteoLineGenerator(seed);
  const fileCount = options.files ?? 1;
  const files =
    options.files === undefined
      ? [options.outPath]
      : Array.from({ length: fileCount }, (_, i) => path.join(options.outPath, `part-${i}`));
  await mkdir(options.files === undefined ? path.dirname(options.outPath) : options.outPath, { recursive: true });

  const intervalMs = options.progressIntervalMs ?? 1000;
  let written = 0;
  let bytes = 0;
  let lastReportMs = started;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastReportMs < intervalMs)) return;
    lastReportMs = now;
    options.onProgress({ linesWritten: written, linesTotal: lines, elapsedMs: now - started });
  };

  for (let f = 0; f < fileCount; f++) {
    const linesInFile = Math.floor(lines / fileCount) + (f < lines % fileCount ? 1 : 0);
    const stream = createWriteStream(files[f]);
    try {
      let chunk = '';
      let linesInChunk = 0;
      for (let i = 0; i < linesInFile; i++) {
        chunk += generator.nextLine() + '\n';
        linesInChunk++;
        if (chunk.length >= CHUNK_CHARS || i === linesInFile - 1) {
          bytes += Buffer.byteLength(chunk);
          written += linesInChunk;
          if (!stream.write(chunk)) await once(stream, 'drain');
          chunk = '';
          linesInChunk = 0;
          report(false);
        }
      }
      stream.end();
      await once(stream, 'close');
    } catch (err) {
      stream.destroy();
      throw err;
    }
  }
  report(true);
  return { files, lines: written, bytes, elapsedMs: performance.now() - started };
}

function parseArgs(argv: readonly string[]): GenerateCriteoOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!['--lines', '--seed', '--out', '--files'].includes(flag)) {
      throw new Error(`unknown argument "${flag}"; usage: --out FILE [--lines N] [--seed S] [--files K]`);
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    values.set(flag, value);
  }
  const out = values.get('--out');
  if (out === undefined) throw new Error('--out is required; usage: --out FILE [--lines N] [--seed S] [--files K]');
  const int = (flag: string): number | undefined => {
    const text = values.get(flag);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a non-negative integer; got "${text}"`);
    return Number(text);
  };
  return { outPath: out, lines: int('--lines'), seed: int('--seed'), files: int('--files') };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const result = await generateCriteoSlotFiles({
    ...options,
    onProgress: ({ linesWritten, linesTotal, elapsedMs }) => {
      const percent = linesTotal === 0 ? 100 : (100 * linesWritten) / linesTotal;
      const rate = linesWritten / Math.max(elapsedMs / 1000, 1e-9);
      process.stderr.write(`generated ${linesWritten}/${linesTotal} lines (${percent.toFixed(0)}%), ${rate.toFixed(0)} lines/s\n`);
    },
  });
  const seconds = result.elapsedMs / 1000;
  const where = result.files.length === 1 ? result.files[0] : `${result.files.length} files in ${options.outPath}`;
  console.log(
    `wrote ${result.lines} lines (${(result.bytes / 1e6).toFixed(1)} MB) to ${where} in ${seconds.toFixed(2)} s: ` +
      `${(result.lines / Math.max(seconds, 1e-9)).toFixed(0)} lines/s, ${(result.bytes / 1e6 / Math.max(seconds, 1e-9)).toFixed(1)} MB/s`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
