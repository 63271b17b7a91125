#!/usr/bin/env node
/**
 * Scale-out side by side in one run: batch-5 rows/s of rec-serve with 1 and 2 serving processes
 * (`--processes`), each reached directly and through nginx (the shipped
 * serving_server/deploy/nginx/rec-serving-grpc.conf, one instance in front of each server), in
 * interleaved rounds. Both servers and both nginx instances run for the whole benchmark; each
 * series is a closed loop of `--concurrency` calls in flight over `--connections` HTTP/2
 * connections (several, so node:cluster's round robin can spread them over the processes) from
 * this one client process. Writes `scale-out.md` (machine and command included) into its run
 * folder, and into `benchmarks/results/` with `--publish`, and prints it.
 *
 *   node dist/benchmarks/scale-out.js [--rounds 3] [--seconds 10] [--concurrency 16] [--connections 8]
 *
 * The client runs on the same cores as the servers: on a small machine it takes a large share of
 * the CPU, which caps what more processes can show. Without nginx the nginx rows are skipped.
 */
import { RUN_FOLDER_FLAGS, writeRunFile } from './lib/run-folder';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../src/client/latency-histogram';
import { RecServingClient } from '../src/client/rec-serving-client';
import { parseFlagsOrHelp, type FlagSpecs } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { REPO_ROOT } from '../src/paths/repo-root';
import { nginxBinary, startNginx, type RunningNginx } from '../test/helpers/nginx';
import { startServeProcess, type ServeProcess } from '../test/helpers/serve-process';
import { describeMachine, machineMarkdown } from './lib/machine-info';
import { loadRequestBatches } from './served/load-batches';
import { median } from './versus/versus-report';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

const FLAGS: FlagSpecs = {
  rounds: { kind: 'integer', help: 'interleaved rounds (each runs every series once)', defaultText: '3' },
  seconds: { kind: 'number', help: 'timed seconds per series per round', defaultText: '10' },
  warmup_s: { kind: 'number', help: 'untimed seconds per series before the first round', defaultText: '3' },
  concurrency: { kind: 'integer', help: 'calls in flight', defaultText: '16' },
  connections: { kind: 'integer', help: 'HTTP/2 connections from the client to each endpoint', defaultText: '8' },
  model: { kind: 'string', help: 'model directory', defaultText: 'serving_server' },
  data: { kind: 'string', help: 'Criteo slot file or folder for the batches', defaultText: 'serving_client/sample_data' },
  ...RUN_FOLDER_FLAGS,
  note: { kind: 'string', help: 'caveat written into the results', defaultText: 'client and servers share the machine' },
  help: { kind: 'boolean', help: 'print this help' },
};

interface Series { readonly name: string; readonly target: () => string; readonly what: string }
interface Sample { readonly rowsPerSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly failures: number }

async function closedLoop(target: string, feeds: ReadonlyArray<Parameters<RecServingClient['predict']>[0]>, seconds: number, concurrency: number, connections: number): Promise<Sample> {
  const client = RecServingClient.connect(target, { connectionsPerEndpoint: connections });
  const latency = new LatencyHistogram();
  let rows = 0;
  let failures = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const caller = async () => {
    while (performance.now() < until) {
      const feed = feeds[next++ % feeds.length];
      const t0 = performance.now();
      try {
        const result = await client.predict(feed, [], { deadlineMs: 30_000 });
        latency.record((performance.now() - t0) * 1000);
        rows += Object.values(result.outputs)[0]?.dims[0] ?? 0;
      } catch {
        failures++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, caller));
  } finally {
    client.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  const summary = latency.summary();
  const ms = (micros: number) => (summary.count === 0 ? NaN : micros / 1000);
  return { rowsPerSecond: rows / elapsed, p50Ms: ms(summary.p50Micros), p99Ms: ms(summary.p99Micros), failures };
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/scale-out.js [--rounds 3] [--seconds 10] [--concurrency 16] [--connections 8]', FLAGS);
  if (flags === undefined) return 0;
  const rounds = (flags.rounds as number | undefined) ?? 3;
  const seconds = (flags.seconds as number | undefined) ?? 10;
  const warmup = (flags.warmup_s as number | undefined) ?? 3;
  const concurrency = (flags.concurrency as number | undefined) ?? 16;
  const connections = (flags.connections as number | undefined) ?? 8;
  const modelDir = path.resolve(REPO_ROOT, (flags.model as string | undefined) ?? 'serving_server');
  const dataPath = path.resolve(REPO_ROOT, (flags.data as string | undefined) ?? 'serving_client/sample_data');
  const machine = describeMachine((flags.note as string | undefined) ?? 'client and servers share the machine');
  const dataFile = fs.statSync(dataPath).isDirectory() ? path.join(dataPath, fs.readdirSync(dataPath).filter((f) => !f.endsWith('.md')).sort()[0]) : dataPath;
  const feeds = (await loadRequestBatches(dataFile, 5, 200)).map((b) => b.feed);
  const cores = os.availableParallelism();
  const servers: ServeProcess[] = [];
  const proxies: RunningNginx[] = [];
  try {
    servers.push(await startServeProcess(['--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--processes', '1'], { timeoutMs: 120_000 }));
    servers.push(await startServeProcess(['--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--processes', '2'], { ready: /all 2 processes serving "[^"]*" on [^ ]+:(\d+)/, timeoutMs: 120_000 }));
    const nginx = nginxBinary();
    const series: Series[] = [
      { name: 'direct, 1 process', target: () => `127.0.0.1:${servers[0].port}`, what: `rec-serve --processes 1 (${cores} cores: ${cores} workers x 1 thread)` },
      { name: 'direct, 2 processes', target: () => `127.0.0.1:${servers[1].port}`, what: `rec-serve --processes 2 (each ${Math.max(1, Math.floor(cores / 2))} worker(s) x 1 thread)` },
    ];
    if (nginx !== undefined) {
      proxies.push(await startNginx(nginx, [`127.0.0.1:${servers[0].port}`]));
      proxies.push(await startNginx(nginx, [`127.0.0.1:${servers[1].port}`]));
      series.push({ name: 'nginx, 1 process', target: () => `127.0.0.1:${proxies[0].port}`, what: 'nginx (1 worker process) -> rec-serve --processes 1' });
      series.push({ name: 'nginx, 2 processes', target: () => `127.0.0.1:${proxies[1].port}`, what: 'nginx (1 worker process) -> rec-serve --processes 2' });
    }
    for (const s of series) {
      process.stderr.write(`warm-up ${s.name} (${warmup} s)\n`);
      await closedLoop(s.target(), feeds, warmup, concurrency, connections);
    }
    const results = new Map<string, Sample[]>(series.map((s) => [s.name, []]));
    for (let round = 1; round <= rounds; round++) {
      // Interleaved, and the order rotates each round so no series always runs first.
      for (let i = 0; i < series.length; i++) {
        const s = series[(i + round - 1) % series.length];
        const sample = await closedLoop(s.target(), feeds, seconds, concurrency, connections);
        results.get(s.name)!.push(sample);
        process.stderr.write(`round ${round} ${s.name}: ${sample.rowsPerSecond.toFixed(0)} rows/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms, ${sample.failures} failed\n`);
      }
    }
    const base = median(results.get(series[0].name)!.map((r) => r.rowsPerSecond));
    const lines = [
      '# Scale-out: processes and nginx, batch 5',
      '',
      machineMarkdown(machine),
      `- Load: closed loop, ${concurrency} calls in flight over ${connections} HTTP/2 connections per endpoint, batch 5 (first ${feeds.length} batches of ${path.relative(REPO_ROOT, dataFile)}), ${rounds} interleaved round(s) of ${seconds} s per series after ${warmup} s of warm-up each; the client (one Node process, the gRPC unary channel) runs on the same machine.`,
      `- nginx: ${nginx === undefined ? 'not installed: nginx rows skipped' : 'the shipped serving_server/deploy/nginx/rec-serving-grpc.conf, worker_processes 1'}`,
      '',
      '| series | what | rows/s (median) | vs direct, 1 process | p50 ms | p99 ms | failed | rows/s per round |',
      '|---|---|---|---|---|---|---|---|',
      ...series.map((s) => {
        const r = results.get(s.name)!;
        const rows = median(r.map((x) => x.rowsPerSecond));
        return `| ${s.name} | ${s.what} | ${rows.toFixed(0)} | ${(rows / base).toFixed(2)}x | ${median(r.map((x) => x.p50Ms)).toFixed(2)} | ${median(r.map((x) => x.p99Ms)).toFixed(2)} | ${r.reduce((a, x) => a + x.failures, 0)} | ${r.map((x) => x.rowsPerSecond.toFixed(0)).join(', ')} |`;
      }),
      '',
    ];
    const markdown = lines.join('\n');
    const written = await writeRunFile(flags, 'scale-out', 'scale-out.md', markdown);
    process.stdout.write(`${markdown}\nwrote ${written.map((f) => path.relative(REPO_ROOT, f)).join(', ')}\n`);
    return 0;
  } finally {
    for (const p of proxies) await p.stop();
    for (const s of servers) await s.stop();
  }
}

runMain('scale-out', main);
