#!/usr/bin/env node
/**
 * The GPU run, ready for whenever a GPU machine is lent; on a CPU machine it runs
 * as far as one allows and says so. Steps, each recorded in the results:
 *  1. name the device (nvidia-smi) and the machine;
 *  2. optionally install the provider libraries (`--install_from DIR|TGZ`, or `--install` from
 *     the cached tarball, offline), with the same checks as `npm run install-gpu`;
 *  3. probe cpu, cuda, tensorrt and webgpu in child processes (expected on the H100 image: CUDA
 *     and WebGPU work, TensorRT reports libnvinfer.so.10 missing);
 *  4. run the default model on every available provider and on the CPU with the same inputs:
 *     max relative error must stay below --max_rel_err (1e-4), and per-sample µs / p50 / p99 per
 *     run at --batch_sizes (5 and 2048), measured interleaved in one process;
 *  5. with --matrix: the GPU rows of the in-process matrix (benchmarks/inprocess-matrix.js
 *     --providers ...) and a served sweep on the GPU (benchmarks/served-sweep.js --server_args);
 *  6. write benchmarks/results/gpu-<device>.md and .json naming the device.
 *
 *   LD_LIBRARY_PATH=<cuda13 lib>:<cudnn lib> node dist/benchmarks/gpu/run-gpu.js --install_from /tmp/gpu-libs --matrix
 *
 * Exit code 0 when every available GPU provider matched the CPU, 1 otherwise, 2 for bad flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FlagError, parseFlagsOrHelp, type FlagSpecs } from '../../src/config/parse-flags';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { GpuInstallError, installGpuProviders } from '../../src/engine/providers/install-providers';
import { describeTarget, probeProviders, type ProviderProbeResult } from '../../src/engine/providers/probe-provider';
import { ortPackageDir, readProviderInstallState } from '../../src/engine/providers/provider-install-state';
import { loadModelDir } from '../../src/model/load-model-dir';
import { describeGpu } from './gpu-device';
import { compareProviders, type ProviderUnderTest, type TimingRow } from './provider-timing';
import { runMain } from '../../src/cli/run-main';

const FLAGS: FlagSpecs = {
  gpu_id: { kind: 'integer', help: 'CUDA device to test', defaultText: '0' },
  install_from: { kind: 'string', help: 'install the providers first from this folder of .so files or this tarball' },
  install: { kind: 'boolean', help: 'install the providers first from the cached tarball (offline)', defaultText: 'false' },
  model: { kind: 'string', help: 'model directory', defaultText: 'serving_server' },
  batch_sizes: { kind: 'list', help: 'batch sizes of the side-by-side', defaultText: '5,2048' },
  runs: { kind: 'integer', help: 'runs per provider and batch size', defaultText: '2000 at batch <= 32, 200 above' },
  threads: { kind: 'integer', help: 'CPU intra-op threads', defaultText: 'all cores' },
  max_rel_err: { kind: 'number', help: 'largest accepted relative error of GPU vs CPU outputs', defaultText: '1e-4' },
  matrix: { kind: 'boolean', help: 'also run the in-process matrix GPU rows and a served sweep', defaultText: 'false' },
  label: { kind: 'string', help: 'result file suffix', defaultText: 'the device, e.g. h100' },
  out_dir: { kind: 'string', help: 'results folder', defaultText: 'benchmarks/results' },
  help: { kind: 'boolean', help: 'print this help' },
};

const progress = (line: string) => process.stderr.write(`[gpu] ${line}\n`);
const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '—' : n.toFixed(digits));

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const flags = parseFlagsOrHelp(argv, 'usage: node dist/benchmarks/gpu/run-gpu.js [flags]', FLAGS);
  if (flags === undefined) return 0;
  const gpuId = (flags.gpu_id as number | undefined) ?? 0;
  const maxRelErr = (flags.max_rel_err as number | undefined) ?? 1e-4;
  const batchSizes = ((flags.batch_sizes as string[] | undefined) ?? ['5', '2048']).map(Number);
  const threads = (flags.threads as number | undefined) ?? os.availableParallelism();
  const device = describeGpu();
  const label = (flags.label as string | undefined) ?? device.label;
  const outDir = path.resolve(REPO_ROOT, (flags.out_dir as string | undefined) ?? 'benchmarks/results');
  const command = `node dist/benchmarks/gpu/run-gpu.js ${argv.join(' ')}`.trim();
  const notes: string[] = [];
  progress(`device: ${device.name}`);

  // 2. install
  const installFrom = flags.install_from as string | undefined;
  if (installFrom !== undefined || flags.install === true) {
    const source = installFrom === undefined ? { kind: 'registry' as const } : statSync(installFrom).isDirectory() ? { kind: 'directory' as const, path: installFrom } : { kind: 'tarball' as const, path: installFrom };
    try {
      await installGpuProviders({ source, cacheDir: path.join(os.homedir(), '.cache', 'rec-serving', 'gpu'), offline: true, ortPackageDir: ortPackageDir(), log: progress });
      notes.push(`providers installed from ${installFrom ?? 'the cached tarball'} (sha256 verified)`);
    } catch (error) {
      if (!(error instanceof GpuInstallError)) throw error;
      notes.push(`provider install refused: ${error.problems.join('; ')}`);
      progress(`install refused: ${error.message}`);
    }
  }
  const install = readProviderInstallState();
  notes.push(`provider libraries next to libonnxruntime.so.1: ${install.presentFiles.length === 0 ? 'none' : install.presentFiles.join(', ')}${install.marker ? ` (marker: ONNX Runtime ${install.marker.ortVersion})` : ''}`);

  // 3. probe
  const probes = await probeProviders([{ provider: 'cpu' }, { provider: 'cuda', deviceId: gpuId }, { provider: 'tensorrt', deviceId: gpuId }, { provider: 'webgpu' }]);
  for (const p of probes) progress(`probe ${describeTarget(p)}: ${p.available ? 'available' : 'unavailable'}: ${p.reason}`);

  // 4. accuracy + side-by-side
  const loaded = loadModelDir(path.resolve(REPO_ROOT, (flags.model as string | undefined) ?? 'serving_server'));
  const available = probes.filter((p) => p.available && p.provider !== 'cpu');
  const providers: ProviderUnderTest[] = [
    { label: 'cpu', executionProviders: ['cpu'] },
    ...available.map((p) => ({ label: p.deviceId === undefined ? p.provider : `${p.provider}:${p.deviceId}`, executionProviders: [p.deviceId === undefined ? p.provider : { name: p.provider, deviceId: p.deviceId }] as ProviderUnderTest['executionProviders'] })),
  ];
  const runsFlag = flags.runs as number | undefined;
  const comparison = await compareProviders({
    modelPath: loaded.modelPath, signature: loaded.signature, providers, batchSizes, intraOpThreads: threads, progress,
    runsPerBatch: (b) => runsFlag ?? (b <= 32 ? 2000 : 200),
  });
  const accuracyFailures = comparison.rows.filter((r) => r.maxRelativeError !== undefined && !(r.maxRelativeError < maxRelErr));

  // 5. in-process matrix + served sweep, GPU rows only
  const runs: Array<{ what: string; command: string; status: number | null }> = [];
  if (flags.matrix === true) {
    const gpuProviders = ['cuda', 'tensorrt', 'webgpu'];
    const matrixArgs = ['dist/benchmarks/inprocess-matrix.js', '--providers', ['cpu', ...gpuProviders].join(','), '--threads', '1', '--batch_sizes', batchSizes.join(','), '--label', `gpu-${label}`];
    runs.push(runScript('in-process matrix (GPU rows, unavailable providers reported as such)', matrixArgs));
    const servedProvider = available.find((p) => p.provider === 'cuda') ?? available[0];
    if (servedProvider === undefined) {
      notes.push('served sweep on a GPU provider skipped: no GPU provider is available on this host');
    } else {
      const serverArgs = servedProvider.provider === 'cuda' ? `--providers cuda --gpu_ids ${gpuId}` : `--providers ${servedProvider.provider}`;
      runs.push(runScript(`served sweep on ${describeTarget(servedProvider)}`, ['dist/benchmarks/served-sweep.js', '--preset', 'quick', '--label', `gpu-${label}-${servedProvider.provider}`, '--server_args', serverArgs]));
    }
  }

  // 6. results
  const markdown = report({ device: device.name, command, notes, probes, rows: comparison.rows, failures: comparison.failures, maxRelErr, threads, modelPath: loaded.modelPath, runs, gpuPresent: device.present });
  mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `gpu-${label}`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.json`, `${JSON.stringify({ device, command, notes, probes, comparison, maxRelErr, threads, runs, at: new Date().toISOString() }, null, 2)}\n`);
  progress(`wrote ${base}.md and .json`);
  if (accuracyFailures.length > 0) {
    progress(`accuracy check FAILED: ${accuracyFailures.map((r) => `${r.provider} batch ${r.batchSize}: ${r.maxRelativeError}`).join(', ')}`);
    return 1;
  }
  return 0;
}

function runScript(what: string, args: string[]): { what: string; command: string; status: number | null } {
  const command = `node ${args.join(' ')}`;
  progress(`${what}: ${command}`);
  const result = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  return { what, command, status: result.status };
}

function report(r: {
  device: string; command: string; notes: string[]; probes: ProviderProbeResult[]; rows: TimingRow[]; failures: Array<{ provider: string; error: string }>;
  maxRelErr: number; threads: number; modelPath: string; runs: Array<{ what: string; command: string; status: number | null }>; gpuPresent: boolean;
}): string {
  const lines = [
    `# GPU run: ${r.device}`,
    '',
    r.gpuPresent ? '' : '**No GPU on this machine.** This is the GPU script run as far as a CPU machine allows: the probes show why each GPU provider is unavailable here, and only CPU rows were measured. Run it again where a GPU is lent (see README, "GPU").',
    '',
    `- Command: \`${r.command}\``,
    `- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, onnxruntime-node ${readProviderInstallState().ortVersion}; CPU intra-op threads ${r.threads}`,
    `- Model: ${path.relative(REPO_ROOT, r.modelPath)}; seeded random inputs; providers measured interleaved run by run in one process`,
    `- LD_LIBRARY_PATH: ${process.env.LD_LIBRARY_PATH ?? '(unset)'}`,
    ...r.notes.map((n) => `- ${n}`),
    '',
    '## Provider probes (tiny model, child process)',
    '',
    '| provider | available | outcome | reason |',
    '|---|---|---|---|',
    ...r.probes.map((p) => `| ${describeTarget(p)} | ${p.available ? 'yes' : 'no'} | ${p.outcome} | ${p.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    '',
    `## In-process side by side (max relative error vs CPU must be < ${r.maxRelErr})`,
    '',
    '| provider | batch | runs | per-sample µs | p50 per run µs | p99 per run µs | max rel. error vs CPU |',
    '|---|---|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.provider} | ${row.batchSize} | ${row.runs} | ${fmt(row.perSampleMicros)} | ${fmt(row.p50Micros, 0)} | ${fmt(row.p99Micros, 0)} | ${row.maxRelativeError === undefined ? '(reference)' : row.maxRelativeError.toExponential(2)} |`),
    ...(r.failures.length === 0 ? [] : ['', 'Sessions that failed to create:', ...r.failures.map((f) => `- ${f.provider}: ${f.error}`)]),
    '',
  ];
  if (r.runs.length > 0) {
    lines.push('## Matrix and served sweep', '', ...r.runs.map((run) => `- ${run.what}: \`${run.command}\` → exit ${run.status} (results in benchmarks/results/)`), '');
  }
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

runMain('run-gpu', main);
