#!/usr/bin/env node
/**
 * `npm run bench` / `npm run bench:full`: the whole benchmark suite in one command, in order:
 * 1. the in-process DeepFM matrix (Paddle's six rows) over generated Criteo data,
 * 2. the overhead at batch 5 (in-process vs grpc-js echo vs rec-serve, side by side),
 * 3. the served sweep (closed- and open-loop, batch sizes, batcher on/off, client modes),
 * 4. rec-serve against the naive baseline server (every protocol, batch 5 and 2048, side by side),
 * then `summary-<mode>.md` with the headline figures the README quotes. Everything goes to a run
 * folder `benchmarks/runs/<UTC timestamp>-bench-<mode>/` (git-ignored); `--publish` also copies it
 * to the tracked `benchmarks/results/`. Ctrl-C stops every server the run started.
 *
 * Quick (default) finishes in a few minutes on 2 cores: 50,000 lines, short windows, few levels.
 * Full: 1,800,000 lines (Paddle's test split size), long windows, every level.
 * Generated data is cached in benchmarks/.data/ (git-ignored) and reused.
 *
 *   node dist/benchmarks/bench.js [--mode quick|full] [--only matrix,overhead,sweep,naive]
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FlagError, parseFlagsOrHelp, type FlagSpecs } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { inProcessMatrixMarkdown, runInProcessMatrix } from './inprocess-matrix';
import { matrixCsv } from './inprocess/matrix-report';
import { describeMachine, machineMarkdown, type MachineInfo } from './lib/machine-info';
import { PADDLE_PUBLISHED } from './lib/paddle-published';
import { createProgress } from './lib/progress';
import { writeResults } from './lib/results-writer';
import { RESULTS_DIR, RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { runOverheadCli } from './overhead';
import { runServedSweepCli } from './served-sweep';
import { runVersusNaiveCli } from './versus-naive';
import { buildSummary, type SummaryInputs } from './summary';
import { runMain } from '../src/cli/run-main';

const FLAGS: FlagSpecs = {
  mode: { kind: 'string', help: 'quick | full', defaultText: 'quick' },
  only: { kind: 'list', help: 'subset of matrix,overhead,sweep,naive', defaultText: 'all four' },
  matrix_lines: { kind: 'integer', help: 'lines for the in-process matrix', defaultText: 'quick 50000, full 1800000' },
  ...RUN_FOLDER_FLAGS,
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  help: { kind: 'boolean', help: 'print this help' },
};

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/bench.js [--mode quick|full]', FLAGS);
  if (flags === undefined) return 0;
  const mode = (flags.mode as string | undefined) ?? 'quick';
  if (mode !== 'quick' && mode !== 'full') throw new FlagError([`--mode must be quick or full; got "${mode}"`]);
  const parts = ['matrix', 'overhead', 'sweep', 'naive'];
  const only = new Set((flags.only as string[] | undefined) ?? parts);
  for (const part of only) if (!parts.includes(part)) throw new FlagError([`--only takes ${parts.join(', ')}; got "${part}"`]);
  const outDir = runFolder(flags.out_dir as string | undefined, `bench-${mode}`);
  const machine: MachineInfo = describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs');
  const progress = createProgress('bench');
  const cacheDir = path.join(REPO_ROOT, 'benchmarks', '.data');
  const started = Date.now();

  if (only.has('matrix')) {
    progress(`1/4 in-process matrix (${mode})`);
    const result = await runInProcessMatrix({
      rows: PADDLE_PUBLISHED.map(({ totalTime: _t, totalMs: _m, ...row }) => row),
      lines: (flags.matrix_lines as number | undefined) ?? (mode === 'full' ? 1_800_000 : 50_000),
      seed: 1, modelPath: path.join(REPO_ROOT, 'serving_server', 'model.onnx'), cacheDir, allowSpinning: false, progress: createProgress('inprocess'),
    });
    await writeResults(outDir, `inprocess-matrix-${mode}`, inProcessMatrixMarkdown(result, machine, mode), matrixCsv(result.results), { machine, ...result });
  }
  if (only.has('overhead')) {
    progress('2/4 overhead at batch 5');
    await runOverheadCli({ requests: mode === 'full' ? 10_000 : 2000, rounds: mode === 'full' ? 10 : 5, runs_2048: mode === 'full' ? 50 : 20, out_dir: outDir, label: mode === 'full' ? 'full' : undefined }, machine);
  }
  if (only.has('sweep')) {
    progress(`3/4 served sweep (${mode})`);
    await runServedSweepCli({ preset: mode, out_dir: outDir }, machine);
  }
  if (only.has('naive')) {
    progress('4/4 rec-serve against the naive server');
    const full = mode === 'full';
    await runVersusNaiveCli({ requests: full ? 2000 : 600, requests_2048: full ? 30 : 15, rounds: full ? 5 : 3, out_dir: outDir, label: full ? 'full' : undefined }, machine);
  }
  const inputs: SummaryInputs = {
    matrix: await readJson(path.join(outDir, `inprocess-matrix-${mode}.json`)),
    // The full matrix takes hours: a quick run quotes the last published one.
    matrixFull: await readJson(path.join(outDir, 'inprocess-matrix-full.json')) ?? await readJson(path.join(RESULTS_DIR, 'inprocess-matrix-full.json')),
    overhead: await readJson(path.join(outDir, mode === 'full' ? 'overhead-full.json' : 'overhead.json')),
    sweep: await readJson(path.join(outDir, `served-sweep-${mode}.json`)),
  };
  const summary = buildSummary(inputs, mode);
  await writeFile(path.join(outDir, `summary-${mode}.md`), `${summary}\n${machineMarkdown(machine)}\n`);
  process.stdout.write(`${summary}\n`);
  const published = flags.publish === true ? await publishRun(outDir, flags.publish_dir as string | undefined) : [];
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), outDir)}/${published.length > 0 ? `, published to ${path.relative(process.cwd(), path.dirname(published[0]))}/` : ' (not published: --publish copies them to benchmarks/results/)'}`);
  return 0;
}

runMain('bench', main);
