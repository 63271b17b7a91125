/**
 * rec-client's client modes side by side: one server (a child process: `rec-serve` on the default
 * DeepFM, 1 worker), and rec-client's closed-loop runner in this process driving every mode in
 * turn (grpc, paddle-grpc, http JSON, http proto, rpc) at batch 5 with 1 thread, interleaved in
 * rounds so machine noise spreads over all modes alike. Writes benchmarks/results/client-modes.md
 * with the command, the machine and client_cost / server_cost p50 and p99 per mode.
 *
 *   node dist/benchmarks/client-modes.js [--requests 2000] [--rounds 4] [--warmup 100]
 */
import { spawn } from 'node:child_process';
import { trackChild } from './lib/child-cleanup';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClientConfig } from '../src/client/client-config';
import { runClosedLoop } from '../src/client/closed-loop-runner';
import { LatencyHistogram } from '../src/client/latency-histogram';
import { loadCriteoBatches } from '../src/client/load-criteo-batches';
import { createTransport } from '../src/client/transports';
import type { TransportOptions } from '../src/client/transport-options';
import { REPO_ROOT } from '../src/paths/repo-root';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

const MODES: ReadonlyArray<{ label: string; mode: string; options: TransportOptions }> = [
  { label: 'grpc (Predict)', mode: 'grpc', options: {} },
  { label: 'paddle-grpc', mode: 'paddle-grpc', options: {} },
  { label: 'http (JSON)', mode: 'http', options: { httpBody: 'json' } },
  { label: 'http (proto)', mode: 'http', options: { httpBody: 'proto' } },
  { label: 'rpc (baidu_std)', mode: 'rpc', options: {} },
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startServerProcess(port: number) {
  const child = trackChild(spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), '--model', path.join(REPO_ROOT, 'serving_server'), '--host', '127.0.0.1', '--port', String(port), '--thread', '1', '--warmup_batch_sizes', '5'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/serving ".*" on /.test(log)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return child;
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/client-modes.js [--requests 2000] [--rounds 4] [--warmup 100]', {
    requests: { kind: 'integer', help: 'measured requests per mode', defaultText: '2000' },
    rounds: { kind: 'integer', help: 'interleaved rounds', defaultText: '4' },
    warmup: { kind: 'integer', help: 'warm-up requests per mode', defaultText: '100' },
    help: { kind: 'boolean', help: 'print this help' },
  });
  if (flags === undefined) return 0;
  const requests = (flags.requests as number | undefined) ?? 2000;
  const rounds = (flags.rounds as number | undefined) ?? 4;
  const warmup = (flags.warmup as number | undefined) ?? 100;
  const config = loadClientConfig(path.join(REPO_ROOT, 'serving_client'));
  const batches = await loadCriteoBatches(path.join(REPO_ROOT, 'serving_client', 'sample_data'), 5, config.feedAliases, 'auto');
  const port = await freePort();
  const server = await startServerProcess(port);
  const address = `127.0.0.1:${port}`;
  const samples = new Map(MODES.map((m) => [m.label, { client: new LatencyHistogram(), server: new LatencyHistogram(), failures: 0 }]));
  try {
    const transports = MODES.map((m) => ({ ...m, transport: createTransport(m.mode, address, 0, { ...m.options, signature: config.signature }) }));
    for (const m of transports) await runClosedLoop(m.transport, batches, { threads: 1, requests: warmup, fetch: config.fetchAliases });
    for (let round = 0; round < rounds; round++) {
      for (const m of transports) {
        const result = await runClosedLoop(m.transport, batches, { threads: 1, requests: Math.ceil(requests / rounds), fetch: config.fetchAliases });
        const bucket = samples.get(m.label)!;
        bucket.client.add(result.clientMicros);
        bucket.server.add(result.serverMicros);
        bucket.failures += [...result.failures.values()].reduce((a, b) => a + b, 0);
      }
    }
    transports.forEach((m) => m.transport.close());
  } finally {
    server.kill('SIGTERM');
  }
  const ms = (micros: number) => (micros / 1000).toFixed(3);
  const rows = MODES.map(({ label }) => {
    const s = samples.get(label)!;
    const c = s.client.summary();
    const v = s.server.summary();
    return `| ${label} | ${c.count} | ${s.failures} | ${ms(c.p50Micros)} | ${ms(c.p99Micros)} | ${ms(v.p50Micros)} | ${ms(v.p99Micros)} |`;
  });
  const grpcP50 = samples.get(MODES[0].label)!.client.summary().p50Micros;
  const ratios = MODES.map(({ label }) => `${label} ${(samples.get(label)!.client.summary().p50Micros / grpcP50).toFixed(2)}x`).join(', ');
  const command = `node dist/benchmarks/client-modes.js ${process.argv.slice(2).join(' ')}`.trim();
  const cpus = os.cpus();
  const report = [
    '# rec-client: client modes side by side',
    '',
    `Command: \`${command}\` (${requests} measured requests per mode after ${warmup} warm-up, in ${rounds} interleaved rounds)`,
    `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}; shared with other work, so absolute numbers are noisy; compare the modes within this run.`,
    'Server: `rec-serve --model serving_server --thread 1` (default DeepFM, ONNX Runtime CPU) in a child process; client: rec-client\'s closed-loop runner, batch 5, 1 thread, same host.',
    '',
    '| mode | requests | failed | client_cost p50 (ms) | client_cost p99 (ms) | server_cost p50 (ms) | server_cost p99 (ms) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `client_cost p50 relative to grpc: ${ratios}.`,
    '',
    'server_cost is the last profile_time pair (Paddle modes) or the server timing (grpc): the handler\'s own time, without the network and the client.',
    '',
  ].join('\n');
  const out = path.join(REPO_ROOT, 'benchmarks', 'results', 'client-modes.md');
  fs.writeFileSync(out, report);
  process.stdout.write(`${report}\nwrote ${out}\n`);
  return 0;
}

runMain('client-modes', main);
