/**
 * Swap latency of a hot reload on the default model (serving_server/, 40 MiB DeepFM): a real
 * server (startServer, port 0) on a repository holding the model as version 1, poll mode, and a
 * closed-loop client (batch 5, 8 in flight) while version 2 is dropped in (picked up by the
 * poller) and version 3 is dropped in and loaded explicitly. Reports the time from the drop-in to
 * the first response from the new version, the requests served and failed, and whether responses
 * switched at one point in time. Writes swap-latency.md into its run folder, and into
 * benchmarks/results/ with --publish.
 *
 *   node dist/benchmarks/swap-latency.js [--poll_secs 1] [--thread N]
 */
import { RUN_FOLDER_FLAGS, writeRunFile } from './lib/run-folder';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecServingClient } from '../src/client/rec-serving-client';
import { loadServeConfig } from '../src/config/serve-config';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { createLogger } from '../src/logging/logger';
import { REPO_ROOT } from '../src/paths/repo-root';
import { startServer } from '../src/server/start-server';
import { runMain } from '../src/cli/run-main';
import { startClosedLoop, switchViolations } from '../test/helpers/closed-loop-traffic';
import { installLeanAsyncResourceBind } from '../src/client/lean-async-resource-bind';

function dropIn(modelDir: string, version: string, model: string): void {
  const staging = path.join(modelDir, `.staging-${version}`);
  fs.mkdirSync(staging);
  fs.copyFileSync(model, path.join(staging, 'model.onnx'));
  fs.renameSync(staging, path.join(modelDir, version));
}

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/swap-latency.js [flags]', {
    poll_secs: { kind: 'integer', help: 'repository poll interval', defaultText: '1' },
    thread: { kind: 'integer', help: 'workers', defaultText: 'rec-serve default' },
    ...RUN_FOLDER_FLAGS,
  });
  if (flags === undefined) return 0;
  const pollSecs = (flags.poll_secs as number | undefined) ?? 1;
  const loadAtStart = os.loadavg()[0];
  const model = path.join(REPO_ROOT, 'serving_server', 'model.onnx');
  if (!fs.existsSync(model)) throw new Error(`${model} is missing: run npm run prepare`);
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-serving-swap-'));
  const modelDir = path.join(repo, 'ctr');
  fs.mkdirSync(modelDir);
  fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), path.join(modelDir, 'serving_server_conf.prototxt'));
  dropIn(modelDir, '1', model);
  const config = loadServeConfig(['--model_repository', repo, '--model_control_mode', 'poll', '--repository_poll_secs', String(pollSecs),
    '--host', '127.0.0.1', '--port', '0', '--log_level', 'warn', ...(flags.thread === undefined ? [] : ['--thread', String(flags.thread)])], {}, os.availableParallelism());
  const server = await startServer(config, createLogger('warn'));
  const client = RecServingClient.connect(`127.0.0.1:${server.port}`);
  try {
    const loop = startClosedLoop(client, { inFlight: 8, rows: 5, modelName: 'ctr' });
    await loop.firstResponseFrom('1');
    await new Promise((r) => setTimeout(r, 1000));
    const polledAt = performance.now();
    dropIn(modelDir, '2', model);
    const pollMs = (await loop.firstResponseFrom('2')) - polledAt;
    await new Promise((r) => setTimeout(r, 1000));
    const loadAt = performance.now();
    dropIn(modelDir, '3', model);
    await server.modelControl.load('ctr');
    const loadResolvedMs = performance.now() - loadAt;
    const explicitMs = (await loop.firstResponseFrom('3')) - loadAt;
    await new Promise((r) => setTimeout(r, 1000));
    const records = await loop.stop();
    const failed = records.filter((r) => r.error !== undefined).length;
    const violations = switchViolations(records).length;
    const lines = [
      '# Hot reload: swap latency under traffic',
      '',
      `Command: \`node dist/benchmarks/swap-latency.js --poll_secs ${pollSecs}${flags.thread === undefined ? '' : ` --thread ${String(flags.thread)}`}\``,
      `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${os.platform()} ${os.release()}; load average (1 min) at start ${loadAtStart.toFixed(2)}.`,
      `Model: serving_server/model.onnx (default DeepFM, ${(fs.statSync(model).size / 1048576).toFixed(1)} MiB), ${config.workers} worker(s) x ${config.cpuThreadsPerWorker} thread(s); closed-loop client, batch 5, 8 in flight, during both swaps.`,
      '',
      '| swap | drop-in to first response from the new version (ms) |',
      '|---|---|',
      `| picked up by polling (every ${pollSecs} s) | ${pollMs.toFixed(0)} |`,
      `| loaded explicitly (load() resolved after ${loadResolvedMs.toFixed(0)} ms) | ${explicitMs.toFixed(0)} |`,
      '',
      `Requests: ${records.length}, failed: ${failed}; requests answered by an older version after a newer one had answered: ${violations}.`,
      'The time is reading and validating the model, creating and warming up the new version\'s sessions while the old one serves, and the poll wait; the switch itself is one synchronous step.',
      '',
    ];
    const written = await writeRunFile(flags, 'swap-latency', 'swap-latency.md', lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\nwrote ${written.join(', ')}\n`);
    return failed === 0 && violations === 0 ? 0 : 1;
  } finally {
    client.close();
    await server.stop();
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

runMain('swap-latency', main);
