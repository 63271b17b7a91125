/**
 * The generated Criteo data the benchmarks read: made once per (lines, seed) with the project's
 * generator (src/data/generate-criteo.ts) into a cache folder outside git (benchmarks/.data/ by
 * default, listed in .gitignore), then reused.
 *
 * Contract: `ensureCriteoData` returns the path of a complete slot-format file with exactly
 * `lines` lines; it writes to a temporary name and renames when done, so an interrupted run never
 * leaves a truncated file that a later run would trust.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import * as path from 'node:path';
import { generateCriteoSlotFiles } from '../../src/data/generate-criteo';

export interface EnsureDataOptions {
  readonly lines: number;
  readonly seed: number;
  readonly cacheDir: string;
  readonly onProgress?: (message: string) => void;
}

export async function ensureCriteoData(options: EnsureDataOptions): Promise<string> {
  const file = path.join(options.cacheDir, `criteo-slot-${options.lines}-seed${options.seed}.txt`);
  if (existsSync(file)) return file;
  await mkdir(options.cacheDir, { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  options.onProgress?.(`generating ${options.lines} Criteo-shaped lines (seed ${options.seed}) into ${file}`);
  await generateCriteoSlotFiles({
    outPath: partial,
    lines: options.lines,
    seed: options.seed,
    progressIntervalMs: 5000,
    onProgress: (p) => options.onProgress?.(`  generated ${p.linesWritten}/${p.linesTotal} lines`),
  });
  await rename(partial, file);
  return file;
}
