#!/usr/bin/env node
/**
 * Served sweep CLI: rec-serve and this client in separate processes; closed-loop
 * concurrency and open-loop Poisson rate sweeps for each batch size, batcher on/off (when
 * rec-serve has the flag) and client mode. Writes `benchmarks/results/served-sweep-<label>.*`:
 * markdown, CSV, perf_analyzer-format CSVs, JSON and the latency-vs-throughput SVG.
 *
 *   node dist/benchmarks/served-sweep.js --preset quick     # a few minutes on 2 cores
 *   node dist/benchmarks/served-sweep.js --preset full
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FlagError, parseFlagsOrHelp, type FlagSpecs, type ParsedFlags } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { TRANSPORTS } from '../src/client/transports';
import { loadClientConfig } from '../src/client/client-config';
import { ensureCriteoData } from './lib/data-cache';
import { describeMachine, machineMarkdown, type MachineInfo } from './lib/machine-info';
import { createProgress } from './lib/progress';
import { PERF_ANALYZER_RULE } from './lib/stability';
import { writeResults } from './lib/results-writer';
import { RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { bestUnderBound, runServedSweep, type SweepOptions, type SweepResult } from './served/run-sweep';
import { serverVariants } from './served/server-variants';
import { latencyThroughputSvg, perfAnalyzerCsv, sweepCsv, sweepMarkdown } from './served/sweep-report';
import { runMain } from '../src/cli/run-main';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

export interface SweepPreset {
  readonly batchSizes: number[];
  readonly otherModeBatchSizes: number[];
  readonly concurrencies: number[];
  readonly rateFractions: number[];
  readonly windowMs: number;
  readonly maxWindows: number;
  readonly lines: number;
  readonly maxBatchesPerSize: number;
}

export const PRESETS: Readonly<Record<'quick' | 'full', SweepPreset>> = {
  quick: { batchSizes: [1, 5, 32, 256, 2048], otherModeBatchSizes: [5], concurrencies: [1, 4, 16], rateFractions: [0.5, 0.9], windowMs: 500, maxWindows: 6, lines: 50_000, maxBatchesPerSize: 500 },
  full: { batchSizes: [1, 5, 32, 256, 2048], otherModeBatchSizes: [1, 5, 32, 256, 2048], concurrencies: [1, 2, 4, 8, 16, 32, 64], rateFractions: [0.1, 0.25, 0.5, 0.75, 0.9, 1.0], windowMs: 2000, maxWindows: 10, lines: 200_000, maxBatchesPerSize: 5000 },
};

export const SWEEP_FLAGS: FlagSpecs = {
  preset: { kind: 'string', help: 'quick | full', defaultText: 'quick' },
  label: { kind: 'string', help: 'result file suffix', defaultText: 'the preset name' },
  batch_sizes: { kind: 'list', help: 'rows per request', defaultText: 'preset' },
  concurrency: { kind: 'list', help: 'closed-loop in-flight levels', defaultText: 'preset' },
  rate_fractions: { kind: 'list', help: 'open-loop rates as fractions of the best closed-loop req/s', defaultText: 'preset' },
  window_ms: { kind: 'integer', help: 'measurement window', defaultText: 'preset' },
  max_windows: { kind: 'integer', help: 'windows per level before giving up on stability', defaultText: 'preset' },
  client_modes: { kind: 'list', help: `client modes (${Object.keys(TRANSPORTS).join(', ')})`, defaultText: 'all' },
  batching_flag: { kind: 'string', help: 'rec-serve flag switching the batcher', defaultText: 'batching' },
  server_args: { kind: 'string', help: 'extra rec-serve arguments, space-separated', defaultText: '""' },
  latency_bound_ms: { kind: 'number', help: 'p99 bound for "best rows/s under the bound"', defaultText: '10' },
  lines: { kind: 'integer', help: 'generated lines the batches are read from', defaultText: 'preset' },
  seed: { kind: 'integer', help: 'generator seed', defaultText: '1' },
  cache_dir: { kind: 'string', help: 'generated data cache (outside git)', defaultText: 'benchmarks/.data' },
  ...RUN_FOLDER_FLAGS,
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  help: { kind: 'boolean', help: 'print this help' },
};

const numbers = (name: string, values: unknown, fallback: number[]): number[] => {
  if (values === undefined) return fallback;
  return (values as string[]).map((v) => {
    const n = Number(v);
    if (!(n > 0)) throw new FlagError([`--${name} must be positive numbers; got "${v}"`]);
    return n;
  });
};

export function sweepOptionsFromFlags(flags: ParsedFlags, progress: (m: string) => void, dataPath: string): { options: SweepOptions; boundMicros: number; variantNote?: string } {
  const presetName = (flags.preset as string | undefined) ?? 'quick';
  if (presetName !== 'quick' && presetName !== 'full') throw new FlagError([`--preset must be quick or full; got "${presetName}"`]);
  const preset = PRESETS[presetName];
  const serverScript = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
  const help = execFileSync(process.execPath, [serverScript, '--help'], { encoding: 'utf8' });
  const extra = ((flags.server_args as string | undefined) ?? '').split(/\s+/).filter((a) => a.length > 0);
  const plan = serverVariants(help, (flags.batching_flag as string | undefined) ?? 'batching', extra);
  const modes = (flags.client_modes as string[] | undefined) ?? Object.keys(TRANSPORTS);
  for (const mode of modes) if (TRANSPORTS[mode] === undefined) throw new FlagError([`--client_modes: unknown mode "${mode}"; supported: ${Object.keys(TRANSPORTS).join(', ')}`]);
  const batchSizes = numbers('batch_sizes', flags.batch_sizes, preset.batchSizes);
  const clientConfig = loadClientConfig(path.join(REPO_ROOT, 'serving_client'));
  return {
    options: {
      dataPath, serverScript, modelDir: path.join(REPO_ROOT, 'serving_server'), variants: plan.variants, modes,
      batchSizes,
      otherModeBatchSizes: flags.batch_sizes === undefined ? preset.otherModeBatchSizes : batchSizes,
      concurrencies: numbers('concurrency', flags.concurrency, preset.concurrencies),
      rateFractions: numbers('rate_fractions', flags.rate_fractions, preset.rateFractions),
      windowMs: (flags.window_ms as number | undefined) ?? preset.windowMs,
      maxWindows: (flags.max_windows as number | undefined) ?? preset.maxWindows,
      rule: PERF_ANALYZER_RULE,
      maxBatchesPerSize: preset.maxBatchesPerSize,
      deadlineMs: 10_000,
      fetch: clientConfig.fetchAliases,
      transportOptions: { signature: clientConfig.signature },
      progress,
    },
    boundMicros: ((flags.latency_bound_ms as number | undefined) ?? 10) * 1000,
    variantNote: plan.note,
  };
}

export function sweepReportMarkdown(result: SweepResult, options: SweepOptions, boundMicros: number, machine: MachineInfo, label: string, notes: readonly string[]): string {
  const best = bestUnderBound(result.rows, boundMicros);
  const bestLine = best === undefined
    ? `- Highest rows/s with p99 ≤ ${boundMicros / 1000} ms: none of the levels met the bound.`
    : `- **Highest rows/s with p99 ≤ ${boundMicros / 1000} ms: ${best.rowsPerSecond.toFixed(0)} rows/s** (${best.variant}, client ${best.mode}, batch ${best.batchSize}, ${best.load.kind === 'concurrency' ? `${best.load.concurrency} in flight` : `${best.load.requestsPerSecond.toFixed(0)} req/s open loop`}; p99 ${(best.latency.p99Micros / 1000).toFixed(2)} ms, p50 ${(best.latency.p50Micros / 1000).toFixed(2)} ms).`;
  return [
    `# Served sweep (${label})`,
    '',
    'rec-serve in its own process, the client in the benchmark process, over loopback. Closed loop: N callers each sending the next request when the previous answer arrives. ' +
      'Open loop: Poisson arrivals at fractions of the best closed-loop request rate, latency from the scheduled start. ' +
      `A level counts when 3 windows of ${options.windowMs} ms agree within ±10% (throughput and average latency); "stable = no" means ${options.maxWindows} windows passed without that, and the last 3 are reported. ` +
      'Latencies are the client\'s (HdrHistogram); client send/recv = client latency − server handler time; the server\'s queue/compute come from the timing in each Predict response; Paddle\'s protocols report only the handler time, so their queue, compute and other columns are left empty (-), never 0.',
    '',
    machineMarkdown(machine),
    `- Server: ${Object.entries(result.serverArgs).map(([name, args]) => `${name}: \`rec-serve ${args.join(' ')}\``).join('; ')}`,
    `- Batch sizes ${options.batchSizes.join(', ')}; concurrency ${options.concurrencies.join(', ')}; rates ${options.rateFractions.map((f) => `${f * 100}%`).join(', ')} of best; client modes ${options.modes.join(', ')}`,
    bestLine,
    ...notes.map((n) => `- Note: ${n}`),
    ...result.notes.map((n) => `- Note: ${n}`),
    '',
    `![latency vs throughput](served-sweep-${label}.svg)`,
    '',
    'perf_analyzer-format CSVs: ' + `\`served-sweep-${label}-perf-analyzer-concurrency.csv\`, \`served-sweep-${label}-perf-analyzer-rate.csv\` (Client Send/Recv not split: the client-side share is in Network+Server Send/Recv; Compute Input/Output not split from Infer).`,
    '',
    sweepMarkdown(result.rows),
    '',
  ].join('\n');
}

export async function runServedSweepCli(flags: ParsedFlags, machine: MachineInfo): Promise<{ markdown: string; result: SweepResult; boundMicros: number; files: string[] }> {
  const progress = createProgress('served');
  const presetName = ((flags.preset as string | undefined) ?? 'quick') as 'quick' | 'full';
  const label = (flags.label as string | undefined) ?? presetName;
  const dataPath = await ensureCriteoData({
    lines: (flags.lines as number | undefined) ?? PRESETS[presetName]?.lines ?? 50_000,
    seed: (flags.seed as number | undefined) ?? 1,
    cacheDir: path.resolve(REPO_ROOT, (flags.cache_dir as string | undefined) ?? 'benchmarks/.data'),
    onProgress: progress,
  });
  const { options, boundMicros, variantNote } = sweepOptionsFromFlags(flags, progress, dataPath);
  const result = await runServedSweep(options);
  const markdown = sweepReportMarkdown(result, options, boundMicros, machine, label, variantNote ? [variantNote] : []);
  const outDir = runFolder(flags.out_dir as string | undefined, `served-sweep-${label}`);
  const base = `served-sweep-${label}`;
  const files = await writeResults(outDir, base, markdown, sweepCsv(result.rows), { machine, options: { ...options, progress: undefined, transportOptions: undefined }, boundMicros, best: bestUnderBound(result.rows, boundMicros), ...result });
  const extra: Array<[string, string]> = [
    [`${base}-perf-analyzer-concurrency.csv`, perfAnalyzerCsv(result.rows, 'concurrency')],
    [`${base}-perf-analyzer-rate.csv`, perfAnalyzerCsv(result.rows, 'rate')],
    [`${base}.svg`, latencyThroughputSvg(result.rows, boundMicros, `rec-serve DeepFM: p99 latency vs throughput (${label}, ${machine.cores} cores)`)],
  ];
  for (const [name, text] of extra) {
    await writeFile(path.join(outDir, name), text);
    files.push(path.join(outDir, name));
  }
  return { markdown, result, boundMicros, files };
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/served-sweep.js [--preset quick|full] [flags]', SWEEP_FLAGS);
  if (flags === undefined) return 0;
  const machine = describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs');
  const { markdown, files } = await runServedSweepCli(flags, machine);
  const published = flags.publish === true ? await publishRun(path.dirname(files[0]), flags.publish_dir as string | undefined) : [];
  process.stdout.write(`${markdown}\nwrote ${files.join(', ')}${published.length > 0 ? `\npublished ${published.join(', ')}` : ''}\n`);
  return 0;
}

if (require.main === module) {
  runMain('served-sweep', main);
}
