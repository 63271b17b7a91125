#!/usr/bin/env node
/**
 * In-process DeepFM speed matrix (Paddle's `paddle_infer.py` equivalent, no RPC). Each row runs in its own child process: session creation with the row's options, then
 * one pass over the generated Criteo data, reading the files as part of the timed run.
 *
 * Default: Paddle's six published rows. Any combination can be asked for with the list flags
 * (their cartesian product is run). Writes `benchmarks/results/inprocess-matrix-<label>.{md,csv,json}`.
 *
 *   node dist/benchmarks/inprocess-matrix.js [--lines 1800000] [--label full]
 *   node dist/benchmarks/inprocess-matrix.js --providers cpu,cuda --threads 1,2 --batch_sizes 5,2048
 */
import { fork } from 'node:child_process';
import { trackChild } from './lib/child-cleanup';
import * as path from 'node:path';
import { REPO_ROOT } from '../src/paths/repo-root';
import { FlagError, parseFlagsOrHelp, type FlagSpecs } from '../src/config/parse-flags';
import { ensureCriteoData } from './lib/data-cache';
import { describeMachine, machineMarkdown, type MachineInfo } from './lib/machine-info';
import { PADDLE_PUBLISHED, type MatrixRow, type Provider } from './lib/paddle-published';
import { createProgress } from './lib/progress';
import { writeResults } from './lib/results-writer';
import { RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { matrixCsv, matrixMarkdown } from './inprocess/matrix-report';
import type { RowPassOptions, RowPassResult } from './inprocess/matrix-row-pass';
import { runMain } from '../src/cli/run-main';

export interface InProcessMatrixOptions {
  readonly rows: readonly MatrixRow[];
  readonly lines: number;
  readonly seed: number;
  readonly modelPath: string;
  readonly cacheDir: string;
  readonly allowSpinning: boolean;
  readonly progress: (message: string) => void;
}

export interface InProcessMatrixResult {
  readonly dataPath: string;
  readonly lines: number;
  readonly results: RowPassResult[];
}

function runRowInChild(options: Omit<RowPassOptions, 'onProgress'>, progress: (message: string) => void): Promise<RowPassResult> {
  return new Promise((resolve, reject) => {
    // The child's stderr is kept: ORT prints its provider-loading errors there, which would drown the progress lines.
    const child = trackChild(fork(path.join(__dirname, 'inprocess', 'matrix-row-child.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    let settled = false;
    child.on('message', (message: { progressLines?: number; result?: RowPassResult; error?: string }) => {
      if (message.progressLines !== undefined) progress(`  ${message.progressLines} lines`);
      if (message.result !== undefined) { settled = true; resolve(message.result); }
      if (message.error !== undefined) { settled = true; reject(new Error(message.error)); }
    });
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`matrix row process exited (code ${code}, signal ${signal}) without a result; stderr:\n${stderr}`));
    });
    child.send(options);
  });
}

export async function runInProcessMatrix(options: InProcessMatrixOptions): Promise<InProcessMatrixResult> {
  const dataPath = await ensureCriteoData({ lines: options.lines, seed: options.seed, cacheDir: options.cacheDir, onProgress: options.progress });
  const results: RowPassResult[] = [];
  for (const [index, row] of options.rows.entries()) {
    options.progress(`in-process row ${index + 1}/${options.rows.length}: ${row.provider}${row.mkldnn ? '+mkldnn' : ''}, ${row.threads} thread(s), batch ${row.batchSize}`);
    const result = await runRowInChild({ row, modelPath: options.modelPath, dataPath, allowSpinning: options.allowSpinning }, options.progress);
    options.progress(result.status === 'measured' ? `  done: ${(result.totalMs / 1000).toFixed(1)} s for ${result.lines} lines` : `  unavailable: ${result.reason}`);
    results.push(result);
  }
  return { dataPath, lines: options.lines, results };
}

export function inProcessMatrixMarkdown(result: InProcessMatrixResult, machine: MachineInfo, label: string): string {
  return [
    `# In-process DeepFM matrix (${label})`,
    '',
    `One pass of ONNX Runtime over ${result.lines} generated Criteo lines per row (\`${path.relative(REPO_ROOT, result.dataPath)}\`), reading and parsing the files inside the timed run as Paddle's tool did; each row in its own process. ` +
      'Memory optimisation = CPU memory arena + memory pattern; IR optimisation = ORT graph optimisation level "all" (off = "basic"); intra-op threads do not spin (the server default). ' +
      "Paddle's published times are from a different machine (Xeon Gold 6271C, V100): the ratio compares per-sample time, not hardware-equal runs.",
    '',
    machineMarkdown(machine),
    '',
    matrixMarkdown(result.results),
    '',
  ].join('\n');
}

const FLAGS: FlagSpecs = {
  lines: { kind: 'integer', help: 'generated Criteo lines to read per row', defaultText: '1800000' },
  seed: { kind: 'integer', help: 'generator seed', defaultText: '1' },
  label: { kind: 'string', help: 'result file suffix', defaultText: 'full' },
  model: { kind: 'string', help: 'ONNX model', defaultText: 'serving_server/model.onnx' },
  cache_dir: { kind: 'string', help: 'where generated data is kept (outside git)', defaultText: 'benchmarks/.data' },
  ...RUN_FOLDER_FLAGS,
  providers: { kind: 'list', help: 'cpu,cuda,tensorrt,webgpu (with the other list flags: run their cartesian product)' },
  mkldnn: { kind: 'list', help: 'false,true' },
  threads: { kind: 'list', help: 'intra-op threads, e.g. 1,128' },
  batch_sizes: { kind: 'list', help: 'e.g. 5,2048' },
  mem_optim: { kind: 'list', help: 'true,false' },
  ir_optim: { kind: 'list', help: 'true,false' },
  allow_spinning: { kind: 'boolean', help: 'let intra-op threads spin', defaultText: 'false' },
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  help: { kind: 'boolean', help: 'print this help' },
};

const bools = (values: string[] | undefined, fallback: boolean[]) => (values === undefined ? fallback : values.map((v) => /^(true|1|yes|on)$/i.test(v)));
const ints = (name: string, values: string[] | undefined, fallback: number[]) =>
  values === undefined ? fallback : values.map((v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new FlagError([`--${name} must be positive integers; got "${v}"`]);
    return n;
  });

/** Paddle's six rows, or the cartesian product of the list flags when any is given. @private */
export function rowsFromFlags(flags: Record<string, unknown>): MatrixRow[] {
  const listNames = ['providers', 'mkldnn', 'threads', 'batch_sizes', 'mem_optim', 'ir_optim'];
  if (listNames.every((n) => flags[n] === undefined)) return PADDLE_PUBLISHED.map(({ totalTime: _t, totalMs: _m, ...row }) => row);
  const providers = (flags.providers as string[] | undefined) ?? ['cpu'];
  for (const p of providers) if (!['cpu', 'cuda', 'tensorrt', 'webgpu'].includes(p)) throw new FlagError([`--providers must be among cpu, cuda, tensorrt, webgpu; got "${p}"`]);
  const rows: MatrixRow[] = [];
  for (const provider of providers as Provider[])
    for (const mkldnn of bools(flags.mkldnn as string[] | undefined, [false]))
      for (const threads of ints('threads', flags.threads as string[] | undefined, [1]))
        for (const batchSize of ints('batch_sizes', flags.batch_sizes as string[] | undefined, [5]))
          for (const memoryOptimization of bools(flags.mem_optim as string[] | undefined, [true]))
            for (const irOptimization of bools(flags.ir_optim as string[] | undefined, [true]))
              rows.push({ provider, mkldnn, threads, batchSize, memoryOptimization, irOptimization });
  return rows;
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/inprocess-matrix.js [flags]', FLAGS);
  if (flags === undefined) return 0;
  const rows = rowsFromFlags(flags);
  const label = (flags.label as string | undefined) ?? 'full';
  const machine = describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs');
  const progress = createProgress('inprocess');
  const result = await runInProcessMatrix({
    rows,
    lines: (flags.lines as number | undefined) ?? 1_800_000,
    seed: (flags.seed as number | undefined) ?? 1,
    modelPath: path.resolve(REPO_ROOT, (flags.model as string | undefined) ?? 'serving_server/model.onnx'),
    cacheDir: path.resolve(REPO_ROOT, (flags.cache_dir as string | undefined) ?? 'benchmarks/.data'),
    allowSpinning: flags.allow_spinning === true,
    progress,
  });
  const markdown = inProcessMatrixMarkdown(result, machine, label);
  const files = await writeResults(runFolder(flags.out_dir as string | undefined, `inprocess-matrix-${label}`), `inprocess-matrix-${label}`, markdown, matrixCsv(result.results), { machine, ...result });
  const published = flags.publish === true ? await publishRun(path.dirname(files[0]), flags.publish_dir as string | undefined) : [];
  process.stdout.write(`${markdown}\nwrote ${files.join(', ')}${published.length > 0 ? `\npublished ${published.join(', ')}` : ''}\n`);
  return 0;
}

if (require.main === module) {
  runMain('inprocess-matrix', main);
}
