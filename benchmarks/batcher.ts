/**
 * Batcher benchmark (not a test): the real `rec-serve` process on the repo's default DeepFM, side
 * by side with the dynamic batcher off and on, in one run on this machine.
 *
 *   npx tsc -p . && node dist/benchmarks/batcher.js [--seconds 6] [--concurrency 32] [--out benchmarks/results/batcher.md]
 *
 * For batch 5 and batch 32, 32 closed-loop callers on one gRPC channel: rows/s, requests/s,
 * p50/p99 latency, average executed batch size (nv_inference_count / nv_inference_exec_count),
 * and where the server's CPU goes: process CPU (main thread + workers, from process metrics) vs
 * the workers' time inside ONNX Runtime (ctr_engine_run_duration_us_total); the rest is RPC,
 * decoding, validation and hand-offs. Then an open-loop run at 2x the sustainable request rate
 * (batch 5): batcher on, on with the queue-policy timeout (--max_queue_time_micros 20000), on with
 * --max_concurrency 64, and off: the share shed with UNAVAILABLE and the p99 of the served requests.
 * Server: 2 workers x 1 intra-op thread (the default on 2 cores).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RecServingClient } from '../src/client/rec-serving-client';
import { REPO_ROOT } from '../src/paths/repo-root';
import { Code, ServingError } from '../src/core/errors';
import type { HostTensor } from '../src/core/tensor';
import { LatencyHistogram } from '../src/client/latency-histogram';
import { parsePrometheusText, sampleValue, type Sample } from './lib/parse-prometheus-text';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { parseFlagsOrHelp, type FlagSpecs } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

/** Queue-policy timeout of the overload run that sets one, microseconds. */
const QUEUE_TIME_MICROS = 20000;

const USAGE = 'usage: node dist/benchmarks/batcher.js [--seconds 6] [--concurrency 32] [--out benchmarks/results/batcher.md] [--note TEXT]';
const FLAGS: FlagSpecs = {
  seconds: { kind: 'number', help: 'timed seconds per run', defaultText: '6' },
  concurrency: { kind: 'integer', help: 'closed-loop callers', defaultText: '32' },
  out: { kind: 'string', help: 'report file', defaultText: 'benchmarks/results/batcher.md' },
  note: { kind: 'string', help: 'caveat written into the report' },
  help: { kind: 'boolean', help: 'print this help' },
};

interface Server { process: ServerProcess; port: number; opsPort: number }

async function startServer(extraFlags: string[]): Promise<Server> {
  const server = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), [
    '--model', path.join(REPO_ROOT, 'serving_server'), '--host', '127.0.0.1', '--port', '0', '--thread', '2', '--cpu_threads', '1',
    '--enable_prometheus', '--prometheus_port', '0', '--max_queue_size', '256', '--log_level', 'info', ...extraFlags]);
  const opsPort = /metrics and health on http:\/\/[^:]+:(\d+)/.exec(server.log());
  if (opsPort === null) {
    await server.stop();
    throw new Error(`rec-serve logged no metrics port:\n${server.log().slice(-2000)}`);
  }
  return { process: server, port: Number(server.address.split(':').pop()), opsPort: Number(opsPort[1]) };
}

async function scrape(server: Server): Promise<Sample[]> {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${server.opsPort}/metrics`)).text());
}

function feed(rows: number, seed: number): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  let state = seed;
  for (let f = 1; f <= 26; f++) {
    const data = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      data[r] = BigInt(state % 100000);
    }
    out[`C${f}`] = { dtype: 'int64', dims: [rows, 1], data };
  }
  const dense = new Float32Array(rows * 13).map((_, i) => (i % 10) / 10);
  out.dense_input = { dtype: 'float32', dims: [rows, 13], data: dense };
  return out;
}

/** The p50 or p99 of a run's served latencies, milliseconds (NaN when none was served). */
function percentile(latency: LatencyHistogram, p: 50 | 99): number {
  const s = latency.summary();
  if (s.count === 0) return NaN;
  return (p === 50 ? s.p50Micros : s.p99Micros) / 1000;
}

interface Measured {
  label: string; rows: number; requests: number; seconds: number; latency: LatencyHistogram; unavailable: number; otherErrors: number;
  execCount: number; inferenceCount: number; serverCpuS: number; engineRunS: number; clientCpuS: number; offeredRps?: number;
}

function delta(after: Sample[], before: Sample[], name: string): number {
  return sampleValue(after, name) - sampleValue(before, name);
}

async function measure(server: Server, label: string, rows: number, body: (client: RecServingClient, record: (ms: number | ServingError) => void, until: number) => Promise<void>, seconds: number, offeredRps?: number): Promise<Measured> {
  const client = RecServingClient.connect(`127.0.0.1:${server.port}`);
  await client.waitForReady(10_000);
  const noop = () => undefined;
  await body(client, noop, performance.now() + 1000); // warm the path
  const before = await scrape(server);
  const latency = new LatencyHistogram();
  let unavailable = 0;
  let otherErrors = 0;
  const record = (result: number | ServingError) => {
    if (typeof result === 'number') latency.record(result * 1000);
    else if (result.code === Code.UNAVAILABLE) unavailable++;
    else otherErrors++;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await body(client, record, t0 + seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = await scrape(server);
  client.close();
  return {
    label, rows, requests: latency.count, seconds: elapsed, latency, unavailable, otherErrors,
    execCount: delta(after, before, 'nv_inference_exec_count'), inferenceCount: delta(after, before, 'nv_inference_count'),
    serverCpuS: delta(after, before, 'process_cpu_seconds_total'), engineRunS: delta(after, before, 'ctr_engine_run_duration_us_total') / 1e6,
    clientCpuS: (cpu.user + cpu.system) / 1e6, offeredRps,
  };
}

function closedLoop(rows: number, concurrency: number) {
  const feeds = Array.from({ length: 16 }, (_, i) => feed(rows, i + 1));
  return async (client: RecServingClient, record: (r: number | ServingError) => void, until: number) => {
    let n = 0;
    const caller = async () => {
      while (performance.now() < until) {
        const start = performance.now();
        try {
          await client.predict(feeds[n++ % feeds.length]);
          record(performance.now() - start);
        } catch (error) {
          record(ServingError.from(error));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
  };
}

/** Open loop: requests sent on a fixed schedule (rate per second), whatever the answers. */
function openLoop(rows: number, rps: number) {
  const feeds = Array.from({ length: 16 }, (_, i) => feed(rows, i + 1));
  return async (client: RecServingClient, record: (r: number | ServingError) => void, until: number) => {
    const inFlight: Array<Promise<void>> = [];
    const start = performance.now();
    let sent = 0;
    while (performance.now() < until) {
      const due = Math.floor(((performance.now() - start) / 1000) * rps);
      for (; sent < due; sent++) {
        const t = performance.now();
        inFlight.push(client.predict(feeds[sent % feeds.length]).then(() => record(performance.now() - t), (error: unknown) => record(ServingError.from(error))));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
  };
}

function row(m: Measured): string {
  const rowsPerS = (m.requests * m.rows) / m.seconds;
  const avgBatch = m.execCount > 0 ? m.inferenceCount / m.execCount : NaN;
  const cpuPerReqUs = (m.serverCpuS / Math.max(1, m.requests + m.unavailable)) * 1e6;
  const inferShare = m.serverCpuS > 0 ? m.engineRunS / m.serverCpuS : NaN;
  const total = m.requests + m.unavailable + m.otherErrors;
  return `| ${m.label} | ${rowsPerS.toFixed(0)} | ${(m.requests / m.seconds).toFixed(0)} | ${percentile(m.latency, 50).toFixed(2)} | ${percentile(m.latency, 99).toFixed(2)} | ${avgBatch.toFixed(2)} | ${(m.serverCpuS / m.seconds).toFixed(2)} | ${(m.engineRunS / m.seconds).toFixed(2)} | ${(100 * inferShare).toFixed(0)}% | ${cpuPerReqUs.toFixed(0)} | ${(m.clientCpuS / m.seconds).toFixed(2)} | ${total > 0 ? ((100 * m.unavailable) / total).toFixed(1) : '0'}% |`;
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), USAGE, FLAGS);
  if (flags === undefined) return 0;
  const args = {
    seconds: (flags.seconds as number | undefined) ?? 6,
    concurrency: (flags.concurrency as number | undefined) ?? 32,
    out: path.resolve((flags.out as string | undefined) ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'batcher.md')),
    note: (flags.note as string | undefined) ?? '',
  };
  const loadAtStart = os.loadavg()[0];
  const results: Measured[] = [];
  const runs: Array<{ batching: 'off' | 'on'; rows: number }> = [
    { batching: 'off', rows: 5 }, { batching: 'on', rows: 5 }, { batching: 'off', rows: 32 }, { batching: 'on', rows: 32 },
  ];
  for (const run of runs) {
    const server = await startServer(['--batching', run.batching]);
    try {
      results.push(await measure(server, `batch ${run.rows}, batcher ${run.batching}`, run.rows, closedLoop(run.rows, args.concurrency), args.seconds));
      process.stderr.write(`${row(results[results.length - 1])}\n`);
    } finally {
      await server.process.stop();
    }
  }
  // 2x the sustainable load: the batcher-on batch-5 closed-loop rate, doubled, sent open loop.
  const sustainable = results[1].requests / results[1].seconds;
  const overload: Measured[] = [];
  const overloadRuns: Array<{ label: string; flags: string[] }> = [
    { label: 'batcher on', flags: ['--batching', 'on'] },
    { label: 'batcher on, max_queue_time_micros 20000', flags: ['--batching', 'on', '--max_queue_time_micros', String(QUEUE_TIME_MICROS)] },
    { label: 'batcher on, max_concurrency 64', flags: ['--batching', 'on', '--max_concurrency', '64'] },
    { label: 'batcher off', flags: ['--batching', 'off'] },
  ];
  for (const run of overloadRuns) {
    const server = await startServer(run.flags);
    try {
      overload.push(await measure(server, `batch 5, 2x load (${(2 * sustainable).toFixed(0)} req/s offered), ${run.label}`, 5, openLoop(5, 2 * sustainable), args.seconds, 2 * sustainable));
      process.stderr.write(`${row(overload[overload.length - 1])}\n`);
    } finally {
      await server.process.stop();
    }
  }
  const header = '| run | rows/s | req/s | p50 ms | p99 ms | avg executed batch | server CPU (cores) | inside ORT (cores) | ORT share of server CPU | server CPU µs/request | client CPU (cores) | shed UNAVAILABLE |\n|---|---|---|---|---|---|---|---|---|---|---|---|';
  const ratio = (on: Measured, off: Measured) => ({
    rows: ((on.requests * on.rows) / on.seconds) / ((off.requests * off.rows) / off.seconds),
    p99: percentile(on.latency, 99) / percentile(off.latency, 99),
  });
  const r5 = ratio(results[1], results[0]);
  const shed = (m: Measured) => { const total = m.requests + m.unavailable + m.otherErrors; return total > 0 ? (100 * m.unavailable) / total : 0; };
  const [plain, timed, capped] = overload;
  const r32 = ratio(results[3], results[2]);
  const cpus = os.cpus();
  const text = [
    '# Dynamic batcher: off vs on (benchmarks/batcher.ts)',
    '',
    `Command: \`npx tsc -p . && node dist/benchmarks/batcher.js --seconds ${args.seconds} --concurrency ${args.concurrency}${args.note ? ` --note "${args.note}"` : ''}\``,
    `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}; run at ${new Date().toISOString()}.`,
    `Load average (1 min) at start: ${loadAtStart.toFixed(2)}.${args.note ? ` Note: ${args.note}.` : ''} Client and server share the machine's cores, and the machine is a shared VM: read the off/on ratios, measured side by side in one run, rather than the absolute numbers.`,
    '',
    `Server: rec-serve on serving_server/ (DeepFM, PaddleRec Criteo shape), 2 workers x 1 intra-op thread, max batch 256 rows, max queue delay 0 µs, max queue 256 requests. Client: ${args.concurrency} closed-loop callers on one gRPC channel in the benchmark process (the same 2 cores), ${args.seconds} s per run after 1 s warm-up.`,
    '',
    header,
    ...results.map(row),
    ...overload.map(row),
    '',
    '## Ratios (batcher on / off)',
    `- batch 5: rows/s x${r5.rows.toFixed(2)}, p99 x${r5.p99.toFixed(2)}`,
    `- batch 32: rows/s x${r32.rows.toFixed(2)}, p99 x${r32.p99.toFixed(2)}`,
    '',
    '## Where the CPU goes',
    '"server CPU" is the rec-serve process (main thread + worker threads, process_cpu_seconds_total); "inside ORT" is the workers\' time inside session.run (ctr_engine_run_duration_us_total). The difference is gRPC, protobuf decoding, validation, batching and the worker hand-offs; "client CPU" is the load generator in this process, competing for the same 2 cores.',
    '',
    `## 2x the sustainable load`,
    `Sustainable = the batcher-on, batch-5 closed-loop rate (${sustainable.toFixed(0)} req/s); offered ${(2 * sustainable).toFixed(0)} req/s open loop. Shed share and p99 of the served requests are in the last four rows. Other errors: ${overload.map((m) => `${m.label}: ${m.otherErrors}`).join('; ')}.`,
    '',
    `- queue-policy timeout (--max_queue_time_micros ${QUEUE_TIME_MICROS}) vs none, batcher on: shed ${shed(timed).toFixed(1)}% vs ${shed(plain).toFixed(1)}%; served p99 ${percentile(timed.latency, 99).toFixed(2)} ms vs ${percentile(plain.latency, 99).toFixed(2)} ms (x${(percentile(timed.latency, 99) / percentile(plain.latency, 99)).toFixed(2)}); served req/s ${(timed.requests / timed.seconds).toFixed(0)} vs ${(plain.requests / plain.seconds).toFixed(0)}.`,
    `- --max_concurrency 64 vs none, batcher on: shed ${shed(capped).toFixed(1)}% vs ${shed(plain).toFixed(1)}%; served p99 ${percentile(capped.latency, 99).toFixed(2)} ms vs ${percentile(plain.latency, 99).toFixed(2)} ms (x${(percentile(capped.latency, 99) / percentile(plain.latency, 99)).toFixed(2)}).`,
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, text);
  process.stdout.write(text);
  return 0;
}

runMain('batcher', main);
