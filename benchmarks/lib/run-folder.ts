/**
 * Where a benchmark writes: its own run folder, `benchmarks/runs/<UTC timestamp>-<name>/`
 * (git-ignored), unless `--out_dir` names one; the tracked `benchmarks/results/` changes only
 * when asked, with `--publish` (copies the run's files there, overwriting same-named ones).
 *
 * Contract: `runFolder(outDirFlag, name)` returns an absolute path (not created);
 * `publishRun(runDir, publishDir)` copies every file of the run folder and returns the copies.
 * `writeRunFile(flags, name, fileName, text)` writes one file into the run folder and publishes
 * it when `--publish` is set; it returns every path written.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';
import type { FlagSpecs, ParsedFlags } from '../../src/config/parse-flags';

export const RESULTS_DIR = path.join(REPO_ROOT, 'benchmarks', 'results');

export const RUN_FOLDER_FLAGS: FlagSpecs = {
  out_dir: { kind: 'string', help: 'folder for this run\'s files', defaultText: 'benchmarks/runs/<UTC timestamp>-<benchmark>/ (git-ignored)' },
  publish: { kind: 'boolean', help: 'also copy the run\'s files into the tracked results folder (--publish_dir)', defaultText: 'false' },
  publish_dir: { kind: 'string', help: 'where --publish copies to', defaultText: 'benchmarks/results' },
};

export function runFolder(outDirFlag: string | undefined, name: string, now = new Date()): string {
  if (outDirFlag !== undefined) return path.resolve(REPO_ROOT, outDirFlag);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return path.join(REPO_ROOT, 'benchmarks', 'runs', `${stamp}-${name}`);
}

export async function publishRun(runDir: string, publishDir: string = RESULTS_DIR): Promise<string[]> {
  const target = path.resolve(REPO_ROOT, publishDir);
  if (path.resolve(runDir) === target) return [];
  await mkdir(target, { recursive: true });
  const copied: string[] = [];
  for (const entry of await readdir(runDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    await copyFile(path.join(runDir, entry.name), path.join(target, entry.name));
    copied.push(path.join(target, entry.name));
  }
  return copied;
}

export async function writeRunFile(flags: ParsedFlags, name: string, fileName: string, text: string): Promise<string[]> {
  const dir = runFolder(flags.out_dir as string | undefined, name);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, fileName);
  await writeFile(file, text);
  const published = flags.publish === true ? await publishRun(dir, flags.publish_dir as string | undefined) : [];
  return [file, ...published];
}
