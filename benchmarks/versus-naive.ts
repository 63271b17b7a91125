#!/usr/bin/env node
/**
 * rec-serve against the naive baseline server, side by side in one run: both started as separate
 * processes on the same model, every rec-serve protocol (gRPC Predict, Paddle gRPC, HTTP proto,
 * baidu_std, the Open Inference Protocol over gRPC and HTTP) and the naive Paddle gRPC server driven by the same client at batch 5 (1 and 16 in
 * flight) and batch 2048 (1 in flight), in interleaved rounds, with the HTTP/2 floor
 * (naive/replay-server.ts: no work at all) measured alongside as the ceiling. Writes
 * `benchmarks/results/versus-naive[-<label>].{md,json}` with the ratios and the criteria checklist,
 * and prints the report.
 *
 *   node dist/benchmarks/versus-naive.js [--requests 600] [--requests_2048 15] [--rounds 3] [--serve_args="--thread 1"]
 */
import * as path from 'node:path';
import { createTransport } from '../src/client/transports';
import { parseFlagsOrHelp, type FlagSpecs, type ParsedFlags } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { runMain } from '../src/cli/run-main';
import { ensureCriteoData } from './lib/data-cache';
import { describeMachine, type MachineInfo } from './lib/machine-info';
import { createProgress } from './lib/progress';
import { writeResults } from './lib/results-writer';
import { RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { loadRequestBatches } from './served/load-batches';
import { measureVersus, type LoadPlan, type SeriesTarget } from './versus/measure-versus';
import { LOADS, SERIES, type LoadKey } from './versus/series';
import { buildVersusReport, versusMarkdown, type VersusConfig, type VersusReport } from './versus/versus-report';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

export const VERSUS_NAIVE_FLAGS: FlagSpecs = {
  requests: { kind: 'integer', help: 'timed batch-5 calls per series per round (each in-flight level)', defaultText: '600' },
  requests_2048: { kind: 'integer', help: 'timed batch-2048 calls per series per round', defaultText: '15' },
  rounds: { kind: 'integer', help: 'interleaved rounds', defaultText: '3' },
  warmup: { kind: 'integer', help: 'untimed batch-5 calls per series and in-flight level first (the JIT needs thousands of calls to settle)', defaultText: '2000' },
  warmup_2048: { kind: 'integer', help: 'untimed batch-2048 calls per series first', defaultText: '3' },
  model: { kind: 'string', help: 'model directory (rec-serve --model; the naive server loads its model.onnx)', defaultText: 'serving_server' },
  serve_args: { kind: 'string', help: 'extra rec-serve flags, space-separated (write --serve_args="--thread 1")', defaultText: 'none' },
  deadline_ms: { kind: 'integer', help: 'per-call deadline', defaultText: '60000' },
  label: { kind: 'string', help: 'result file suffix (none: versus-naive.md)' },
  seed: { kind: 'integer', help: 'generator seed', defaultText: '1' },
  cache_dir: { kind: 'string', help: 'generated data cache (outside git)', defaultText: 'benchmarks/.data' },
  ...RUN_FOLDER_FLAGS,
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  help: { kind: 'boolean', help: 'print this help' },
};

const relative = (file: string) => path.relative(REPO_ROOT, file) || '.';

export async function runVersusNaiveCli(flags: ParsedFlags, machine: MachineInfo): Promise<{ report: VersusReport; markdown: string; files: string[] }> {
  const progress = createProgress('versus-naive');
  const rounds = Math.max(1, (flags.rounds as number | undefined) ?? 3);
  const requests5 = Math.max(1, (flags.requests as number | undefined) ?? 600);
  const requests2048 = Math.max(1, (flags.requests_2048 as number | undefined) ?? 15);
  const warmup5 = Math.max(0, (flags.warmup as number | undefined) ?? 2000);
  const warmup2048 = Math.max(0, (flags.warmup_2048 as number | undefined) ?? 3);
  const deadlineMs = (flags.deadline_ms as number | undefined) ?? 60_000;
  const serveArgs = ((flags.serve_args as string | undefined) ?? '').split(/\s+/).filter((a) => a !== '');
  const modelDir = path.resolve(REPO_ROOT, (flags.model as string | undefined) ?? 'serving_server');
  const requestsPerRound: Record<LoadKey, number> = { b5x1: requests5, b5x16: requests5, b2048x1: requests2048 };
  const warmup: Record<LoadKey, number> = { b5x1: warmup5, b5x16: warmup5, b2048x1: warmup2048 };

  const dataPath = await ensureCriteoData({ lines: 50_000, seed: (flags.seed as number | undefined) ?? 1, cacheDir: path.resolve(REPO_ROOT, (flags.cache_dir as string | undefined) ?? 'benchmarks/.data'), onProgress: progress });
  const batchesBySize = new Map<number, Awaited<ReturnType<typeof loadRequestBatches>>>();
  for (const size of new Set(LOADS.map((l) => l.batchSize))) batchesBySize.set(size, await loadRequestBatches(dataPath, size, size >= 1000 ? 10 : 1000));
  const plans: LoadPlan[] = LOADS.map((load) => ({ load, batches: batchesBySize.get(load.batchSize)!, requests: requestsPerRound[load.key], warmup: warmup[load.key] }));

  const naiveScript = path.join(__dirname, 'naive', 'naive-server.js');
  const naiveArgs = ['--model', path.join(modelDir, 'model.onnx'), '--host', '127.0.0.1', '--port', '0'];
  const serveScript = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
  const serveArgv = ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', ...serveArgs];
  const replayScript = path.join(__dirname, 'naive', 'replay-server.js');
  const config: VersusConfig = {
    rounds, requestsPerRound, warmup, serveArgs,
    floorCommand: `node ${relative(replayScript)} --upstream <rec-serve> --host 127.0.0.1 --port 0`,
    naiveCommand: ['node', relative(naiveScript), ...naiveArgs.map((a) => (path.isAbsolute(a) ? relative(a) : a))].join(' '),
    recServeCommand: ['node', relative(serveScript), ...serveArgv.map((a) => (path.isAbsolute(a) ? relative(a) : a))].join(' '),
  };

  progress('starting the naive server, rec-serve and the HTTP/2 floor as separate processes');
  const servers: ServerProcess[] = [];
  const targets: SeriesTarget[] = [];
  let results;
  try {
    const naive = await startServerProcess(naiveScript, naiveArgs);
    servers.push(naive);
    const served = await startServerProcess(serveScript, serveArgv);
    servers.push(served);
    const floor = await startServerProcess(replayScript, ['--upstream', served.address, '--host', '127.0.0.1', '--port', '0']);
    servers.push(floor);
    for (const series of SERIES) {
      const address = series.server === 'naive' ? naive.address : series.server === 'floor' ? floor.address : served.address;
      targets.push({ series, transport: createTransport(series.mode, address, deadlineMs, series.options) });
    }
    results = await measureVersus({ targets, plans, rounds, progress });
  } finally {
    for (const t of targets) t.transport.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
  const report = buildVersusReport(results);
  const markdown = versusMarkdown(report, machine, config);
  const label = flags.label as string | undefined;
  const files = await writeResults(runFolder(flags.out_dir as string | undefined, 'versus-naive'), label ? `versus-naive-${label}` : 'versus-naive', markdown, undefined, { machine, config, ...report });
  return { report, markdown, files };
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/versus-naive.js [flags]', VERSUS_NAIVE_FLAGS);
  if (flags === undefined) return 0;
  const { markdown, files } = await runVersusNaiveCli(flags, describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs'));
  const published = flags.publish === true ? await publishRun(path.dirname(files[0]), flags.publish_dir as string | undefined) : [];
  process.stdout.write(`${markdown}\nwrote ${files.join(', ')}${published.length > 0 ? `\npublished ${published.join(', ')}` : ''}\n`);
  return 0;
}

if (require.main === module) {
  runMain('versus-naive', main);
}
