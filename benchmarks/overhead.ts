#!/usr/bin/env node
/**
 * The overhead benchmark: in one run, side by side, the compute floor
 * (in-process ONNX Runtime, batch 5 and 2048, 1 thread and the server's default session
 * settings), the transport floor (grpc-js echo server in its own process, batch-5 payload) and
 * the real rec-serve (own process, default flags) at batch 5 with one request in flight. Reports
 * served p50 against echo p50 + in-process p50 as a ratio, and where the time goes.
 * Writes `benchmarks/results/overhead.{md,json}` (or `overhead-<label>`).
 *
 *   node dist/benchmarks/overhead.js [--requests 1000] [--rounds 5]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { FlagError, parseFlagsOrHelp, type FlagSpecs, type ParsedFlags } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { loadServeConfig } from '../src/config/serve-config';
import type { SessionConfig } from '../src/engine/session-config';
import { ensureCriteoData } from './lib/data-cache';
import { describeMachine, machineMarkdown, type MachineInfo } from './lib/machine-info';
import { createProgress } from './lib/progress';
import { writeResults } from './lib/results-writer';
import { median } from './versus/versus-report';
import { RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { startServerProcess } from './lib/server-process';
import { fixed, markdownTable } from './lib/table-format';
import { measureOverhead, type OverheadMeasurement } from './overhead/measure-overhead';
import { loadRequestBatches } from './served/load-batches';
import { runMain } from '../src/cli/run-main';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

export const OVERHEAD_FLAGS: FlagSpecs = {
  requests: { kind: 'integer', help: 'timed batch-5 calls per series (split over the rounds)', defaultText: '2000' },
  rounds: { kind: 'integer', help: 'interleaved rounds', defaultText: '5' },
  runs_2048: { kind: 'integer', help: 'timed in-process batch-2048 runs per session', defaultText: '20' },
  warmup: { kind: 'integer', help: 'untimed calls per series first', defaultText: '200' },
  label: { kind: 'string', help: 'result file suffix (none: overhead.md)' },
  seed: { kind: 'integer', help: 'generator seed', defaultText: '1' },
  cache_dir: { kind: 'string', help: 'generated data cache (outside git)', defaultText: 'benchmarks/.data' },
  ...RUN_FOLDER_FLAGS,
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  help: { kind: 'boolean', help: 'print this help' },
};

export interface OverheadReport {
  readonly measurement: OverheadMeasurement;
  readonly serverDefault: SessionConfig & { workers: number };
  /** served p50 / (echo p50 + in-process p50 at the server's settings). */
  readonly ratioP50: number;
  /** served p50 / (echo p50 + paced in-process p50: runs after 1 ms idle, as a worker serving one request at a time). */
  readonly ratioP50Paced: number;
  readonly servedMinusInProcessP50Micros: number;
  readonly servedMinusInProcessP99Micros: number;
  readonly servedOverInProcessP50: number;
  readonly servedOverInProcessP99: number;
}

export function overheadFigures(measurement: OverheadMeasurement, serverDefault: OverheadReport['serverDefault']): OverheadReport {
  const inProc = measurement.inProcess.find((f) => f.name === 'server default' && f.batchSize === 5)!.latency;
  const paced = measurement.inProcess.find((f) => f.name.includes('paced') && f.batchSize === 5)!.latency;
  const served = measurement.servedClient;
  return {
    measurement, serverDefault,
    ratioP50: served.p50Micros / (measurement.echo.p50Micros + inProc.p50Micros),
    ratioP50Paced: served.p50Micros / (measurement.echo.p50Micros + paced.p50Micros),
    servedMinusInProcessP50Micros: served.p50Micros - inProc.p50Micros,
    servedMinusInProcessP99Micros: served.p99Micros - inProc.p99Micros,
    servedOverInProcessP50: served.p50Micros / inProc.p50Micros,
    servedOverInProcessP99: served.p99Micros / inProc.p99Micros,
  };
}

export function overheadMarkdown(report: OverheadReport, machine: MachineInfo, requests: number): string {
  const m = report.measurement;
  const rows = [
    ...m.inProcess.map((f) => [`in-process ORT, batch ${f.batchSize}, ${f.name} (${f.intraOpThreads} intra-op thread${f.intraOpThreads > 1 ? 's' : ''})`, f.latency.count, fixed(f.latency.p50Micros, 0), fixed(f.latency.p99Micros, 0), fixed(f.latency.meanMicros, 0)]),
    ['grpc-js echo server (separate process), batch-5 Predict payload', m.echo.count, fixed(m.echo.p50Micros, 0), fixed(m.echo.p99Micros, 0), fixed(m.echo.meanMicros, 0)],
    ['rec-serve (separate process, default flags), batch 5, 1 in flight: client_cost', m.servedClient.count, fixed(m.servedClient.p50Micros, 0), fixed(m.servedClient.p99Micros, 0), fixed(m.servedClient.meanMicros, 0)],
    ['  of which server_cost (handler start → end, from the response)', m.servedServer.count, fixed(m.servedServer.p50Micros, 0), fixed(m.servedServer.p99Micros, 0), fixed(m.servedServer.meanMicros, 0)],
  ];
  const s = m.servedMeanMicros;
  const where = [
    ['transport: client encode and decode, both HTTP/2 stacks, the network (client_cost − server_cost)', fixed(s.client - s.serverHandler, 0)],
    ['server: decode, validate, encode, dispatch (server_cost − queue − compute)', fixed(s.serverHandler - s.queue - s.compute, 0)],
    ['server: queue (hand-off to a worker until its run starts; 0 for a main-thread run), queue_us', fixed(s.queue, 0)],
    ['server: compute (ONNX Runtime run, main thread or worker), compute_us', fixed(s.compute, 0)],
    ['total (mean client_cost)', fixed(s.client, 0)],
  ];
  const d = report.serverDefault;
  return [
    '# Serving overhead at batch 5',
    '',
    `Measured in one run, batch-5 series interleaved in rounds; ${requests} timed calls per batch-5 series. Server default settings here: ${d.workers} worker(s) × ${d.intraOpThreads} intra-op thread(s), graph optimisation "${d.graphOptimizationLevel}", memory optimisation ${d.memoryOptimization ? 'on' : 'off'}, spinning ${d.allowSpinning ? 'on' : 'off'}. ` +
      'The echo server decodes nothing and runs nothing: it is grpc-js plus the client, the floor any gRPC server in Node pays.',
    '',
    machineMarkdown(machine),
    '',
    markdownTable(['measurement', 'n', 'p50 µs', 'p99 µs', 'mean µs'], rows),
    '',
    `- **served p50 / (echo p50 + in-process p50) = ${report.ratioP50.toFixed(2)}** (1.00 would mean the server adds nothing beyond the transport and compute floors)`,
    `- per round (the three series measured within seconds of each other, so drift between rounds cancels): ${m.roundRatiosP50.map((r) => r.toFixed(2)).join(', ')} (median ${median(m.roundRatiosP50).toFixed(2)})`,
    `- served p50 / (echo p50 + paced in-process p50) = ${report.ratioP50Paced.toFixed(2)}: a run after the thread idled 1 ms (as a worker does between requests at one in flight) is slower than one in a tight loop, so this is the fairer floor`,
    `- served vs in-process (server default settings), batch 5: p50 ${report.servedOverInProcessP50.toFixed(1)}× (+${report.servedMinusInProcessP50Micros.toFixed(0)} µs), p99 ${report.servedOverInProcessP99.toFixed(1)}× (+${report.servedMinusInProcessP99Micros.toFixed(0)} µs)`,
    '',
    '## Where the time goes (means, served batch 5)',
    '',
    markdownTable(['part', 'mean µs'], where),
    '',
  ].join('\n');
}

export async function runOverheadCli(flags: ParsedFlags, machine: MachineInfo): Promise<{ report: OverheadReport; markdown: string; files: string[] }> {
  const progress = createProgress('overhead');
  const cores = os.availableParallelism();
  const config = loadServeConfig([], {}, cores);
  const serverDefault = { workers: config.workers, intraOpThreads: config.cpuThreadsPerWorker, allowSpinning: config.allowSpinning, graphOptimizationLevel: config.graphOptimizationLevel, memoryOptimization: config.memoryOptimization, executionProviders: [{ name: 'cpu' as const }] };
  const sessionConfigs = [
    { name: '1 thread', config: { ...serverDefault, intraOpThreads: 1 } },
    { name: 'server default', config: serverDefault },
  ];
  const dataPath = await ensureCriteoData({ lines: 50_000, seed: (flags.seed as number | undefined) ?? 1, cacheDir: path.resolve(REPO_ROOT, (flags.cache_dir as string | undefined) ?? 'benchmarks/.data'), onProgress: progress });
  const requests = (flags.requests as number | undefined) ?? 2000;
  const rounds = Math.max(1, (flags.rounds as number | undefined) ?? 5);
  const batches5 = await loadRequestBatches(dataPath, 5, 1000);
  const batches2048 = await loadRequestBatches(dataPath, 2048, 10);
  progress('starting the echo server and rec-serve (default flags) as separate processes');
  const echo = await startServerProcess(path.join(__dirname, 'overhead', 'echo-server.js'), ['--rows', '5']);
  const served = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), ['--model', path.join(REPO_ROOT, 'serving_server'), '--port', '0', '--host', '127.0.0.1']);
  let measurement: OverheadMeasurement;
  try {
    measurement = await measureOverhead({
      modelPath: path.join(REPO_ROOT, 'serving_server', 'model.onnx'), batches5, batches2048, sessionConfigs, echo, served,
      requestsPerRound: Math.ceil(requests / rounds), rounds, runs2048: (flags.runs_2048 as number | undefined) ?? 20, warmup: (flags.warmup as number | undefined) ?? 200, progress,
    });
  } finally {
    await Promise.all([echo.stop(), served.stop()]);
  }
  const report = overheadFigures(measurement, serverDefault);
  const markdown = overheadMarkdown(report, machine, Math.ceil(requests / rounds) * rounds);
  const label = flags.label as string | undefined;
  const files = await writeResults(runFolder(flags.out_dir as string | undefined, 'overhead'), label ? `overhead-${label}` : 'overhead', markdown, undefined, { machine, ...report });
  return { report, markdown, files };
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/overhead.js [flags]', OVERHEAD_FLAGS);
  if (flags === undefined) return 0;
  const { markdown, files } = await runOverheadCli(flags, describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs'));
  const published = flags.publish === true ? await publishRun(path.dirname(files[0]), flags.publish_dir as string | undefined) : [];
  process.stdout.write(`${markdown}\nwrote ${files.join(', ')}${published.length > 0 ? `\npublished ${published.join(', ')}` : ''}\n`);
  return 0;
}

if (require.main === module) {
  runMain('overhead', main);
}

