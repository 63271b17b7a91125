#!/usr/bin/env node
/**
 * Overload shedding: rec-serve in its own process, driven open-loop (fixed arrival rate, each
 * call with a deadline) at a multiple of the rate it sustains, to see whether overload is shed
 * early (refused at once with UNAVAILABLE) or queued upstream (served late, DEADLINE_EXCEEDED).
 *
 * Phases, each with the same pre-encoded Predict request sent by `--load_threads` threads
 * (overload/load-worker.ts):
 * 1. rec-serve with its default flags: unloaded p99 (1 caller) and the sustainable rate X (64
 *    callers), so a shedding flag under test cannot lower the rate it is tested at;
 * 2. calibration: the open loop at `--overload` x X against a server that refuses every call at
 *    once (overload/refuse-all-server.ts): the generator's own floor on this host;
 * 3. rec-serve with `--server_args`: the open loop at `--overload` x X for `--seconds`.
 * Prints, per outcome, the count and latency percentiles, and the target: served p99 within 10x
 * the unloaded p99 and the rest refused quickly. With 2+ cores and taskset, servers run on the
 * first half of the cores and the generator on the rest, as if on separate hosts.
 *
 *   npx tsc -p . && node dist/benchmarks/overload-shedding.js [--seconds 20] [--overload 2] [--rows 5] [--server_args "--shed_loop_lag_ms 3"]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { runMain } from '../src/cli/run-main';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { syntheticFeeds } from '../src/core/synthetic-feeds';
import { encodePredictCall } from '../src/client/rec-serving-client';
import { loadModelDir } from '../src/model/load-model-dir';
import { LatencyHistogram, type LatencySummary } from '../src/client/latency-histogram';
import { startServerProcess } from './lib/server-process';
import type { LoadWorkerResult, LoadWorkerTask } from './overload/load-worker';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

const ms = (micros: number) => (micros / 1000).toFixed(1);
const row = (name: string, s: LatencySummary) => `| ${name} | ${s.count} | ${ms(s.p50Micros)} | ${ms(s.p99Micros)} | ${ms(s.maxMicros)} |`;
const LOAD_WORKER = path.join(__dirname, 'overload', 'load-worker.js');

interface Phase {
  readonly outcomes: Map<string, LatencyHistogram>;
  readonly examples: Map<string, string>;
}

/** Runs `task` split over `threads` load threads (callers, rate and connections divided) and merges their outcomes. */
async function runPhase(task: LoadWorkerTask, threads: number): Promise<Phase> {
  const share = (total: number | undefined, i: number) => (total === undefined ? undefined : Math.floor(total / threads) + (i < total % threads ? 1 : 0));
  const results = await Promise.all(Array.from({ length: threads }, (_, i) => new Promise<LoadWorkerResult>((resolve, reject) => {
    const part: LoadWorkerTask = {
      ...task,
      connections: Math.max(1, share(task.connections, i) ?? 1),
      ...(task.callers === undefined ? {} : { callers: Math.max(1, share(task.callers, i) ?? 1) }),
      ...(task.ratePerSecond === undefined ? {} : { ratePerSecond: task.ratePerSecond / threads }),
    };
    const worker = new Worker(LOAD_WORKER, { workerData: part });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load thread exited with code ${code} before reporting`)));
  })));
  const outcomes = new Map<string, LatencyHistogram>();
  const examples = new Map<string, string>();
  for (const result of results) {
    for (const [outcome, values] of Object.entries(result.latencies)) {
      let histogram = outcomes.get(outcome);
      if (histogram === undefined) outcomes.set(outcome, (histogram = new LatencyHistogram()));
      for (const micros of values) histogram.record(micros);
    }
    for (const [outcome, message] of Object.entries(result.examples)) if (!examples.has(outcome)) examples.set(outcome, message);
  }
  return { outcomes, examples };
}

const servedCount = (phase: Phase) => phase.outcomes.get('OK')?.count ?? 0;

/** User + system CPU of a process so far, microseconds (Linux /proc). */
function processCpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS_PER_SECOND);
}

/** Linux's USER_HZ: /proc tick counts are in 1/100 s on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function commandExists(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const usage = 'usage: node dist/benchmarks/overload-shedding.js [--seconds 20] [--overload 2] [--deadline_ms 1000] [--rows 5] [--connections 8] [--load_threads 2] [--server_args "--thread 1"]';
  const flags = parseFlagsOrHelp(process.argv.slice(2), usage, {
    seconds: { kind: 'integer', help: 'open-loop duration, seconds', defaultText: '20' },
    overload: { kind: 'number', help: 'open-loop rate as a multiple of the sustainable rate', defaultText: '2' },
    deadline_ms: { kind: 'integer', help: 'deadline of every open-loop call, milliseconds', defaultText: '1000' },
    rows: { kind: 'integer', help: 'rows per request', defaultText: '5' },
    server_args: { kind: 'string', help: 'extra rec-serve flags, space-separated', defaultText: 'none' },
    connections: { kind: 'integer', help: 'client connections the open loop spreads its calls over (one node:http2 session each)', defaultText: '8' },
    pin_cores: { kind: 'boolean', help: 'run the server on the first half of the cores and the load generator on the rest (taskset), as if on separate hosts', defaultText: 'true where taskset exists and there are 2+ cores' },
    load_threads: { kind: 'integer', help: 'load-generating threads (each with its share of the connections, callers and rate)', defaultText: '2' },
    help: { kind: 'boolean', help: 'print this help' },
  });
  if (flags === undefined) return 0;
  const connections = (flags.connections as number | undefined) ?? 8;
  const threads = Math.max(1, (flags.load_threads as number | undefined) ?? 2);
  const seconds = (flags.seconds as number | undefined) ?? 20;
  const overload = (flags.overload as number | undefined) ?? 2;
  const deadlineMs = (flags.deadline_ms as number | undefined) ?? 1000;
  const rows = (flags.rows as number | undefined) ?? 5;
  const modelDir = path.join(REPO_ROOT, 'serving_server');
  const extra = ((flags.server_args as string | undefined) ?? '').split(' ').filter((arg) => arg !== '');
  const cores = os.availableParallelism();
  const pin = flags.pin_cores !== false && cores >= 2 && commandExists('taskset');
  const serverCores = `0-${Math.max(0, Math.floor(cores / 2) - 1)}`;
  const loadCores = `${Math.floor(cores / 2)}-${cores - 1}`;
  const feed = syntheticFeeds(loadModelDir(modelDir).signature, rows);
  const request = encodePredictCall(feed);
  const startServer = async (args: readonly string[]) => {
    const server = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', ...args]);
    // Every thread of the server (its workers and ONNX Runtime's included) on the server's cores.
    if (pin) execFileSync('taskset', ['-a', '-p', '-c', serverCores, String(server.pid)], { stdio: 'ignore' });
    return server;
  };
  // The load threads (started after this) inherit the generator's cores.
  if (pin) execFileSync('taskset', ['-a', '-p', '-c', loadCores, String(process.pid)], { stdio: 'ignore' });
  console.log(pin
    ? `server on cores ${serverCores}, load generator on cores ${loadCores} (taskset), as if on separate hosts`
    : 'server and load generator share every core (no taskset, one core, or --pin_cores=false)');

  // Capacity and the unloaded reference come from rec-serve with its default flags, so a shedding
  // flag under test cannot lower the rate it is then tested at.
  const baseline = await startServer([]);
  let unloadedP99Micros: number;
  let sustainable: number;
  try {
    const base = { address: baseline.address, request, deadlineMs: 10_000 };
    await runPhase({ ...base, connections: 1, callers: 4, seconds: 2 }, 1);
    const unloaded = (await runPhase({ ...base, connections: 1, callers: 1, seconds: 3 }, 1)).outcomes.get('OK')?.summary();
    if (unloaded === undefined) throw new Error('no call was served unloaded');
    unloadedP99Micros = unloaded.p99Micros;
    const sustainableSeconds = 5;
    sustainable = servedCount(await runPhase({ ...base, connections, callers: 64, seconds: sustainableSeconds }, threads)) / sustainableSeconds;
  } finally {
    await baseline.stop();
  }
  const rate = Math.round(sustainable * overload);
  console.log(`rec-serve (default flags): unloaded p99 ${ms(unloadedP99Micros)} ms; sustainable ${Math.round(sustainable)} req/s`);
  console.log(`rec-serve ${extra.join(' ') || '(default flags)'}: open loop at ${rate} req/s (${overload}x) for ${seconds} s, deadline ${deadlineMs} ms, ${rows} rows, ${threads} load threads over ${connections} connections`);

  // Calibration: the same open loop against a server that refuses every call at once. What the
  // generator sees there is the floor of this host, whatever the server under test does.
  const calibration = await startServerProcess(path.join(__dirname, 'overload', 'refuse-all-server.js'), []);
  let floor: LatencySummary | undefined;
  let refusalCpuMicros: number;
  try {
    if (pin) execFileSync('taskset', ['-a', '-p', '-c', serverCores, String(calibration.pid)], { stdio: 'ignore' });
    const before = processCpuMicros(calibration.pid);
    const phase = await runPhase({ address: calibration.address, request, connections, ratePerSecond: rate, seconds: Math.min(seconds, 5), deadlineMs }, threads);
    floor = phase.outcomes.get('UNAVAILABLE')?.summary();
    refusalCpuMicros = (processCpuMicros(calibration.pid) - before) / Math.max(1, floor?.count ?? 0);
  } finally {
    await calibration.stop();
  }
  console.log(`calibration (a node:http2 server refusing every call, ${Math.round(refusalCpuMicros)} µs CPU per refusal): at ${rate} req/s the generator sees p50 ${floor === undefined ? '-' : ms(floor.p50Micros)} ms, p99 ${floor === undefined ? '-' : ms(floor.p99Micros)} ms`);

  const server = await startServer(extra);
  try {
    const base = { address: server.address, request, deadlineMs: 10_000 };
    await runPhase({ ...base, connections: 1, callers: 4, seconds: 2 }, 1);
    const open = await runPhase({ ...base, connections, ratePerSecond: rate, seconds, deadlineMs }, threads);
    console.log('\n| outcome | count | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|');
    for (const [outcome, histogram] of [...open.outcomes].sort()) console.log(row(outcome, histogram.summary()));
    for (const [outcome, message] of open.examples) console.log(`${outcome}, e.g.: ${message.slice(0, 200)}`);
    const ok = open.outcomes.get('OK')?.summary();
    const bound = 10 * unloadedP99Micros;
    console.log(`\nserved p99 ${ok === undefined ? '-' : ms(ok.p99Micros)} ms vs target ${ms(bound)} ms (10x unloaded p99): ${ok !== undefined && ok.p99Micros <= bound ? 'met' : 'NOT met'}`);
    if (floor !== undefined && floor.p99Micros > bound) {
      console.log(`the target cannot be shown on this host at this rate: against a server that only refuses, the generator's own p99 is ${ms(floor.p99Micros)} ms`);
    }
    return 0;
  } finally {
    await server.stop();
  }
}

runMain('overload-shedding', main);
