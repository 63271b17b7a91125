#!/usr/bin/env node
/**
 * Overload shedding: rec-serve in its own process, driven open-loop (fixed arrival rate, each
 * call with a deadline) at a multiple of the rate it sustains, to see whether overload is shed
 * early (refused at once with UNAVAILABLE) or queued upstream (served late, DEADLINE_EXCEEDED).
 *
 * Phases: unloaded (1 caller, closed loop) for the reference p99; sustainable (64 callers,
 * closed loop) for the rate X; then open loop at `--overload` x X for `--seconds`. Prints, per
 * outcome, the count and latency percentiles, and the target: served p99 within 10x the unloaded
 * p99 and the rest refused quickly.
 *
 *   npx tsc -p . && node dist/benchmarks/overload-shedding.js [--seconds 20] [--overload 2] [--deadline_ms 1000] [--rows 5] [--connections 8] [--server_args "--thread 1"]
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RecServingClient } from '../src/client/rec-serving-client';
import { runMain } from '../src/cli/run-main';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { Code, ServingError } from '../src/core/errors';
import { syntheticFeeds } from '../src/core/synthetic-feeds';
import { loadModelDir } from '../src/model/load-model-dir';
import { LatencyHistogram, type LatencySummary } from '../src/client/latency-histogram';
import { startServerProcess } from './lib/server-process';

const ms = (micros: number) => (micros / 1000).toFixed(1);
const row = (name: string, s: LatencySummary) => `| ${name} | ${s.count} | ${ms(s.p50Micros)} | ${ms(s.p99Micros)} | ${ms(s.maxMicros)} |`;

async function closedLoop(client: RecServingClient, feed: ReturnType<typeof syntheticFeeds>, callers: number, seconds: number): Promise<{ rate: number; latency: LatencySummary }> {
  const histogram = new LatencyHistogram();
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        await client.predict(feed, [], { deadlineMs: 10_000 });
      } catch (error) {
        // A shed request (UNAVAILABLE) is not served: it does not count towards the sustainable rate.
        if (error instanceof ServingError && error.code === Code.UNAVAILABLE) continue;
        throw error;
      }
      histogram.record((performance.now() - started) * 1000);
      done++;
    }
  }));
  return { rate: done / seconds, latency: histogram.summary() };
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/overload-shedding.js [--seconds 20] [--overload 2] [--deadline_ms 1000] [--rows 5] [--connections 8] [--server_args "--thread 1"]', {
    seconds: { kind: 'integer', help: 'open-loop duration, seconds', defaultText: '20' },
    overload: { kind: 'number', help: 'open-loop rate as a multiple of the sustainable rate', defaultText: '2' },
    deadline_ms: { kind: 'integer', help: 'deadline of every open-loop call, milliseconds', defaultText: '1000' },
    rows: { kind: 'integer', help: 'rows per request', defaultText: '5' },
    server_args: { kind: 'string', help: 'extra rec-serve flags, space-separated', defaultText: 'none' },
    connections: { kind: 'integer', help: 'client connections the open loop spreads its calls over (one node:http2 session each)', defaultText: '8' },
    help: { kind: 'boolean', help: 'print this help' },
  });
  if (flags === undefined) return 0;
  const connections = (flags.connections as number | undefined) ?? 8;
  const seconds = (flags.seconds as number | undefined) ?? 20;
  const overload = (flags.overload as number | undefined) ?? 2;
  const deadlineMs = (flags.deadline_ms as number | undefined) ?? 1000;
  const rows = (flags.rows as number | undefined) ?? 5;
  const modelDir = path.join(REPO_ROOT, 'serving_server');
  const extra = ((flags.server_args as string | undefined) ?? '').split(' ').filter((arg) => arg !== '');
  const server = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', ...extra]);
  const client = RecServingClient.connect(server.address);
  // One session's default 10 MB maxSessionMemory is exhausted by thousands of outstanding calls
  // (the client then fails new ones with ENHANCE_YOUR_CALM): the open loop spreads them.
  const openLoopClients = Array.from({ length: connections }, () => RecServingClient.connect(server.address));
  try {
    const feed = syntheticFeeds(loadModelDir(modelDir).signature, rows);
    await closedLoop(client, feed, 4, 1);
    const unloaded = await closedLoop(client, feed, 1, 3);
    const sustainable = await closedLoop(client, feed, 64, 5);
    const rate = Math.round(sustainable.rate * overload);
    console.log(`unloaded p99 ${ms(unloaded.latency.p99Micros)} ms; sustainable ${Math.round(sustainable.rate)} req/s; open loop at ${rate} req/s for ${seconds} s, deadline ${deadlineMs} ms, ${rows} rows`);

    const outcomes = new Map<string, LatencyHistogram>();
    const samples = new Map<string, string>();
    const record = (outcome: string, micros: number) => {
      let histogram = outcomes.get(outcome);
      if (histogram === undefined) outcomes.set(outcome, (histogram = new LatencyHistogram()));
      histogram.record(micros);
    };
    const calls: Array<Promise<void>> = [];
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        const t0 = performance.now();
        calls.push(openLoopClients[sent % connections].predict(feed, [], { deadlineMs }).then(
          () => record('OK', (performance.now() - t0) * 1000),
          (error: unknown) => {
            const outcome = error instanceof ServingError ? Code[error.code] : 'other';
            if (!samples.has(outcome)) samples.set(outcome, error instanceof ServingError ? error.rawMessage : String(error));
            record(outcome, (performance.now() - t0) * 1000);
          },
        ));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(calls);
    console.log('\n| outcome | count | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|');
    for (const [outcome, histogram] of [...outcomes].sort()) console.log(row(outcome, histogram.summary()));
    for (const [outcome, message] of samples) console.log(`${outcome}, e.g.: ${message.slice(0, 200)}`);
    const ok = outcomes.get('OK')?.summary();
    const bound = 10 * unloaded.latency.p99Micros;
    console.log(`\nserved p99 ${ok === undefined ? '-' : ms(ok.p99Micros)} ms vs target ${ms(bound)} ms (10x unloaded p99): ${ok !== undefined && ok.p99Micros <= bound ? 'met' : 'NOT met'}`);
    return 0;
  } finally {
    client.close();
    for (const c of openLoopClients) c.close();
    await server.stop();
  }
}

runMain('overload-shedding', main);
