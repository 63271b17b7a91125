#!/usr/bin/env node
/**
 * How long one big request holds up everyone else: rec-serve in its own process serves batch-5
 * Predict calls from one caller (1 in flight) while one well-formed Paddle JSON body of each
 * `--sizes_mb` size (an `int64_data` array of ids) is POSTed to `/GeneralModelService/inference`.
 * Reports the body's HTTP status and time, and the small calls' latency while it was in progress
 * against their latency before it, with rec-serve's default `--max_body_size` and with Paddle
 * Serving's. A body over the limit is refused before it is read; a body under it is parsed on
 * the event loop, which is what the small calls wait for.
 *
 *   npx tsc -p . && node dist/benchmarks/body-stall.js [--sizes_mb 8,72] [--server_args "--max_body_size 536870912"] [--publish]
 */
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RecServingClient } from '../src/client/rec-serving-client';
import { LatencyHistogram } from '../src/client/latency-histogram';
import { runMain } from '../src/cli/run-main';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { syntheticFeeds } from '../src/core/synthetic-feeds';
import { loadModelDir } from '../src/model/load-model-dir';
import { REPO_ROOT } from '../src/paths/repo-root';
import { RUN_FOLDER_FLAGS, writeRunFile } from './lib/run-folder';
import { startServerProcess } from './lib/server-process';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

/** A Paddle JSON Request of about `megabytes` MB: one tensor whose int64_data holds 8-digit ids. */
function bigPaddleJson(megabytes: number): Buffer {
  const values = Math.floor((megabytes * 1e6) / 9);
  const chunk = Array.from({ length: 1000 }, () => '12345678').join(',');
  const parts = [`{"tensor":[{"name":"C1","alias_name":"C1","elem_type":0,"shape":[${values},1],"int64_data":[`];
  for (let i = 0; i < Math.floor(values / 1000); i++) parts.push((i === 0 ? '' : ',') + chunk);
  parts.push(']}],"fetch_var_names":["prob"]}');
  return Buffer.from(parts.join(''), 'latin1');
}

/** Paddle Serving's default --max_body_size. */
const PADDLE_MAX_BODY_BYTES = 536870912;

function post(address: string, body: Buffer): Promise<number> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const req = http.request({ host, port, path: '/GeneralModelService/inference', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.byteLength } }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve(status!));
    });
    // A body refused before it is read may see its upload cut short after the status arrived.
    req.on('error', (error) => (status === undefined ? reject(error) : resolve(status)));
    req.end(body);
  });
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const usage = 'usage: node dist/benchmarks/body-stall.js [--sizes_mb 8,72] [--server_args "..."] [--publish]';
  const flags = parseFlagsOrHelp(process.argv.slice(2), usage, {
    sizes_mb: { kind: 'list', help: 'JSON body sizes, MB', defaultText: '8,72' },
    server_args: { kind: 'string', help: 'extra rec-serve flags, space-separated', defaultText: 'none' },
    ...RUN_FOLDER_FLAGS,
  });
  if (flags === undefined) return 0;
  const sizes = ((flags.sizes_mb as string[] | undefined) ?? ['8', '72']).map(Number);
  const extra = ((flags.server_args as string | undefined) ?? '').split(' ').filter((arg) => arg !== '');
  const modelDir = path.join(REPO_ROOT, 'serving_server');
  const loadAtStart = os.loadavg()[0];
  const feed = syntheticFeeds(loadModelDir(modelDir).signature, 5);
  const ms = (micros: number) => (micros / 1000).toFixed(1);
  const rows: string[] = [];
  // rec-serve's default limit against Paddle Serving's, each in its own server process.
  for (const limit of [{ label: 'default (8 MiB)', args: [] as string[] }, { label: `Paddle's ${PADDLE_MAX_BODY_BYTES}`, args: ['--max_body_size', String(PADDLE_MAX_BODY_BYTES)] }]) {
    const server = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', ...limit.args, ...extra]);
    const client = RecServingClient.connect(server.address);
    try {
      for (let i = 0; i < 3000; i++) await client.predict(feed); // the JIT settles first
      for (const megabytes of sizes) {
        const body = bigPaddleJson(megabytes);
        const before = new LatencyHistogram();
        const during = new LatencyHistogram();
        const state = { phase: 'before' as 'before' | 'during' | 'done' };
        const caller = (async () => {
          while (state.phase !== 'done') {
            const started = performance.now();
            await client.predict(feed);
            (state.phase === 'before' ? before : during).record((performance.now() - started) * 1000);
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        state.phase = 'during';
        const sentAt = performance.now();
        const status = await post(server.address, body);
        const bodyMs = performance.now() - sentAt;
        state.phase = 'done';
        await caller;
        const b = before.summary();
        const d = during.summary();
        rows.push(`| ${limit.label} | ${(body.byteLength / 1e6).toFixed(1)} | ${status} | ${bodyMs.toFixed(0)} | ${d.count} | ${ms(d.p50Micros)} | ${ms(d.maxMicros)} | ${ms(b.p99Micros)} | ${ms(b.maxMicros)} |`);
      }
    } finally {
      client.close();
      await server.stop();
    }
  }
  const lines = [
    '# One big request against everyone else\'s small calls',
    '',
    `Command: \`node dist/benchmarks/body-stall.js --sizes_mb ${sizes.join(',')}${extra.length > 0 ? ` --server_args "${extra.join(' ')}"` : ''}\``,
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; load average (1 min) at start ${loadAtStart.toFixed(2)}.`,
    `rec-serve: default flags${extra.length > 0 ? ` plus \`${extra.join(' ')}\`` : ''}, once with its default --max_body_size and once with Paddle Serving's; small calls: batch-5 Predict, 1 in flight; the big body: one Paddle JSON Request of 8-digit int64 ids, POSTed while they run.`,
    '',
    '| --max_body_size | body MB | HTTP status | body answered in ms | small calls meanwhile | their p50 ms | their max ms | p99 ms before | max ms before |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
  const written = await writeRunFile(flags, 'body-stall', 'body-stall.md', lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwrote ${written.join(', ')}\n`);
  return 0;
}

runMain('body-stall', main);
