/**
 * Memory of the default model (serving_server/, the 40 MiB DeepFM): process RSS and PSS per worker
 * and per loaded version, with the weights memory-mapped from one private file per version
 * (--mmap_weights, the default) and with a copy per session (--mmap_weights false). Each
 * configuration runs in a fresh child process: a real server (startServer, port 0) on a
 * repository holding the model as version 1, traffic that touches the embedding rows, then
 * version 2 (same bytes) loaded next to it (version_policy all) and traffic again. Writes
 * model-memory.md (command and machine) into its run folder, and into benchmarks/results/ with --publish.
 *
 *   node dist/benchmarks/model-memory.js [--workers 1,4] [--requests 200]
 *
 * Workers are threads of the server process, so a worker's cost is the RSS difference between
 * runs with different worker counts. PSS (Linux) splits pages shared between mappings; mapped
 * weights are page cache, shared by every session and process that maps them.
 */
import { RUN_FOLDER_FLAGS, writeRunFile } from './lib/run-folder';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecServingClient } from '../src/client/rec-serving-client';
import { loadServeConfig } from '../src/config/serve-config';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import type { HostTensor } from '../src/core/tensor';
import { createLogger } from '../src/logging/logger';
import { REPO_ROOT } from '../src/paths/repo-root';
import { startServer } from '../src/server/start-server';
import { runMain } from '../src/cli/run-main';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

interface Sample { readonly rssMiB: number; readonly pssMiB: number | undefined; readonly anonMiB: number | undefined }
interface RunResult { readonly mmap: boolean; readonly workers: number; readonly start: Sample; readonly oneVersion: Sample; readonly twoVersions: Sample }

/** Linux: Rss, Pss and Anonymous from /proc/self/smaps_rollup (one consistent reading); elsewhere RSS only. */
function sample(): Sample {
  try {
    const rollup = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
    return { rssMiB: field('Rss'), pssMiB: field('Pss'), anonMiB: field('Anonymous') };
  } catch {
    return { rssMiB: process.memoryUsage().rss / 1048576, pssMiB: undefined, anonMiB: undefined };
  }
}

function feed(rows: number, vocabulary: number, seed: number): Record<string, HostTensor> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  const out: Record<string, HostTensor> = {};
  for (let field = 1; field <= 26; field++) {
    const data = new BigInt64Array(rows);
    for (let row = 0; row < rows; row++) data[row] = BigInt(next() % vocabulary);
    out[`C${field}`] = { dtype: 'int64', dims: [rows, 1], data };
  }
  out.dense_input = { dtype: 'float32', dims: [rows, 13], data: Float32Array.from({ length: rows * 13 }, () => (next() % 1000) / 1000) };
  return out;
}

/** One configuration, in this (child) process. */
async function measure(mmap: boolean, workers: number, requests: number): Promise<RunResult> {
  const model = path.join(REPO_ROOT, 'serving_server', 'model.onnx');
  if (!fs.existsSync(model)) throw new Error(`${model} is missing: run npm run prepare`);
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-serving-memory-'));
  const modelDir = path.join(repo, 'ctr');
  fs.mkdirSync(path.join(modelDir, '1'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), path.join(modelDir, 'serving_server_conf.prototxt'));
  fs.writeFileSync(path.join(modelDir, 'config.pbtxt'), 'version_policy: { all: { } }\n');
  fs.copyFileSync(model, path.join(modelDir, '1', 'model.onnx'));
  global.gc?.();
  const start = sample();
  const config = loadServeConfig(['--model_repository', repo, '--model_control_mode', 'explicit', '--host', '127.0.0.1', '--port', '0',
    '--thread', String(workers), '--cpu_threads', '1', '--inline_max_rows', '0', `--mmap_weights=${mmap}`, '--log_level', 'warn'], {}, os.availableParallelism());
  const server = await startServer(config, createLogger('warn'));
  const client = RecServingClient.connect(`127.0.0.1:${server.port}`);
  try {
    const vocabulary = Number(server.predictor.model('ctr').signature.inputs.find((spec) => spec.idRange !== undefined)?.idRange?.max ?? 999n) + 1;
    const traffic = async (version: string) => {
      for (let i = 0; i < requests; i++) await client.predict(feed(64, vocabulary, i + 1), [], { modelName: 'ctr', modelVersion: version });
      global.gc?.();
    };
    await traffic('1');
    const oneVersion = sample();
    fs.mkdirSync(path.join(modelDir, '2'));
    fs.copyFileSync(model, path.join(modelDir, '2', 'model.onnx'));
    await server.modelControl.load('ctr');
    await traffic('2');
    await traffic('1');
    const twoVersions = sample();
    return { mmap, workers, start, oneVersion, twoVersions };
  } finally {
    client.close();
    await server.stop();
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

function runChild(mmap: boolean, workers: number, requests: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', `--mmap=${mmap}`, '--workers', String(workers), '--requests', String(requests)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`measurement child (mmap ${mmap}, ${workers} workers) exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as RunResult);
    });
  });
}

const fmt = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(1));
const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/model-memory.js [flags]', {
    child: { kind: 'boolean', help: 'internal: measure one configuration' },
    mmap: { kind: 'boolean', help: 'internal' },
    workers: { kind: 'list', help: 'worker counts to compare', defaultText: '1,4' },
    requests: { kind: 'integer', help: 'requests of 64 rows after each load', defaultText: '200' },
    ...RUN_FOLDER_FLAGS,
  });
  if (flags === undefined) return 0;
  const requests = (flags.requests as number | undefined) ?? 200;
  const workerCounts = ((flags.workers as string[] | undefined) ?? ['1', '4']).map(Number);
  if (flags.child === true) {
    process.stdout.write(`${JSON.stringify(await measure(flags.mmap === true, workerCounts[0], requests))}\n`);
    return 0;
  }
  const results: RunResult[] = [];
  for (const mmap of [true, false]) for (const workers of workerCounts) results.push(await runChild(mmap, workers, requests));
  const modelMiB = fs.statSync(path.join(REPO_ROOT, 'serving_server', 'model.onnx')).size / 1048576;
  const lines = [
    '# Model memory: per worker and per loaded version',
    '',
    `Command: \`node dist/benchmarks/model-memory.js --workers ${workerCounts.join(',')} --requests ${requests}\``,
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 1073741824).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; onnxruntime-node ${readVersion()}.`,
    `Model: serving_server/model.onnx (default DeepFM, ${modelMiB.toFixed(1)} MiB). Server in-process (startServer), --cpu_threads 1, --inline_max_rows 0; after each load ${requests} requests of 64 random rows touch the embeddings.`,
    '',
    '| weights | workers | RSS before | RSS 1 version | RSS 2 versions | PSS 1 version | PSS 2 versions | anonymous 1 version | anonymous 2 versions | 1st version (PSS) | 2nd version (PSS) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.mmap ? 'memory-mapped (default)' : 'copy per session'} | ${r.workers} | ${fmt(r.start.rssMiB)} | ${fmt(r.oneVersion.rssMiB)} | ${fmt(r.twoVersions.rssMiB)} | ${fmt(r.oneVersion.pssMiB)} | ${fmt(r.twoVersions.pssMiB)} | ${fmt(r.oneVersion.anonMiB)} | ${fmt(r.twoVersions.anonMiB)} | ${fmt(diff(r.oneVersion.pssMiB, r.start.pssMiB))} | ${fmt(diff(r.twoVersions.pssMiB, r.oneVersion.pssMiB))} |`),
    '',
    'All figures MiB. RSS counts a mapped page once per mapping that touched it; PSS divides a shared page among its mappings (the honest total for one process); anonymous is memory that is no file\'s page (heaps, arenas, copied weights).',
    '',
  ];
  for (const mmap of [true, false]) {
    const runs = results.filter((r) => r.mmap === mmap).sort((a, b) => a.workers - b.workers);
    if (runs.length < 2) continue;
    const [low, high] = [runs[0], runs[runs.length - 1]];
    const per = (pick: (s: Sample) => number | undefined) => fmt(diff(pick(high.oneVersion), pick(low.oneVersion)) === undefined ? undefined : diff(pick(high.oneVersion), pick(low.oneVersion))! / (high.workers - low.workers));
    lines.push(`Per extra worker (${mmap ? 'memory-mapped' : 'copy per session'}, 1 version, ${low.workers} -> ${high.workers} workers): ${per((s) => s.pssMiB)} MiB PSS, ${per((s) => s.anonMiB)} MiB anonymous, ${per((s) => s.rssMiB)} MiB RSS.`);
  }
  lines.push('', 'Memory-mapped: each version\'s weights are one private read-only file in the page cache, mapped by all its sessions (engine/model-weights-file.ts). Copy per session: every session holds its own initializers, which is what ONNX Runtime does with model bytes (onnxruntime-node refuses SharedArrayBuffer model bytes and copies in-memory external data).', '');
  const written = await writeRunFile(flags, 'model-memory', 'model-memory.md', lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwrote ${written.join(', ')}\n`);
  return 0;
}

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

runMain('model-memory', main);
