/**
 * `rec-serving generate-data`: writes synthetic Criteo-shaped data in PaddleRec's slot format
 * (src/data/generate-criteo.ts), for rec-client's --data_dir and the benchmarks.
 *
 * Contract: `generateData(argv)` resolves with the exit code (0 written, 2 bad flags via
 * FlagError); progress goes to stderr, the final line (lines, bytes, rate) to stdout.
 */
import { DEFAULT_LINES, DEFAULT_SEED, generateCriteoSlotFiles } from '../data/generate-criteo';
import { FlagError, parseFlagsOrHelp, type FlagSpecs } from '../config/parse-flags';

export const GENERATE_DATA_USAGE = 'usage: rec-serving generate-data --out <file or dir> [--lines 1800000] [--seed 1] [--files K]';

const FLAGS: FlagSpecs = {
  out: { kind: 'string', help: 'output file; with --files, the directory that gets part-0 … part-<K-1>' },
  lines: { kind: 'integer', help: 'samples to write in total (the size of Criteo\'s test split in Paddle\'s benchmark by default)', defaultText: String(DEFAULT_LINES) },
  seed: { kind: 'integer', help: 'generator seed, 0 .. 2^32-1: the same seed, lines and files give the same bytes', defaultText: String(DEFAULT_SEED) },
  files: { kind: 'integer', help: 'split over this many files part-0 … in --out (a directory)', defaultText: 'one file' },
  quiet: { kind: 'boolean', help: 'no progress lines on stderr', defaultText: 'false' },
  help: { kind: 'boolean', help: 'print this help' },
};

export async function generateData(argv: readonly string[]): Promise<number> {
  const flags = parseFlagsOrHelp(argv, `${GENERATE_DATA_USAGE}\n\nWrites synthetic Criteo-shaped samples in PaddleRec's slot format (what rec-client --data_dir reads).`, FLAGS);
  if (flags === undefined) return 0;
  const out = flags.out as string | undefined;
  const problems: string[] = [];
  if (out === undefined || out === '') problems.push('--out is required (the file to write, or the directory with --files)');
  for (const name of ['lines', 'seed', 'files'] as const) {
    const value = flags[name] as number | undefined;
    if (value !== undefined && value < (name === 'files' ? 1 : 0)) problems.push(`--${name} must be ${name === 'files' ? 'at least 1' : '>= 0'}; got ${value}`);
  }
  if (problems.length > 0) throw new FlagError(problems);
  const quiet = flags.quiet === true;
  const result = await generateCriteoSlotFiles({
    outPath: out!,
    lines: flags.lines as number | undefined,
    seed: flags.seed as number | undefined,
    files: flags.files as number | undefined,
    onProgress: quiet ? undefined : ({ linesWritten, linesTotal, elapsedMs }) => {
      const percent = linesTotal === 0 ? 100 : (100 * linesWritten) / linesTotal;
      const rate = linesWritten / Math.max(elapsedMs / 1000, 1e-9);
      process.stderr.write(`generated ${linesWritten}/${linesTotal} lines (${percent.toFixed(0)}%), ${rate.toFixed(0)} lines/s\n`);
    },
  });
  const seconds = Math.max(result.elapsedMs / 1000, 1e-9);
  const where = result.files.length === 1 ? result.files[0] : `${result.files.length} files in ${out}`;
  process.stdout.write(`wrote ${result.lines} lines (${(result.bytes / 1e6).toFixed(1)} MB) to ${where} in ${seconds.toFixed(2)} s\n`);
  return 0;
}
