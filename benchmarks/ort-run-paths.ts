#!/usr/bin/env node
/**
 * The two ways the server can drive one CPU ONNX Runtime session, side by side in one process on
 * the default model (column inputs packed, as the server loads it): the public
 * `InferenceSession.run` (argument checks, a Promise, a setImmediate hop, Tensor objects) and the
 * native binding's synchronous run (engine/ort-direct-session.ts), in interleaved rounds over the
 * same generated Criteo feeds.
 *
 *   npx tsc -p . && node dist/benchmarks/ort-run-paths.js [--runs 3000] [--rounds 7] [--batch_sizes 1,5,64]
 *
 * Prints, per batch size, the median over rounds of each path's median µs per run (wall, from
 * before the call until the outputs are in hand) and its CPU µs per run (process user + system).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import { REPO_ROOT } from '../src/paths/repo-root';
import type { HostTensor } from '../src/core/tensor';
import { readModelSignatureFromDir } from '../src/model/paddle-config';
import { createCriteoLineGenerator } from '../src/data/criteo-line-generator';
import { parseSlotLine } from '../src/data/slot-format';
import { recordsToFeed } from '../src/data/criteo-feed';
import { packColumnFeeds } from '../src/engine/column-packing';
import { prepareModelImage, sessionBytes } from '../src/engine/model-image';
import { openDirectSession, runPathFor, type NativeFeed } from '../src/engine/ort-direct-session';
import { toOrtSessionOptions } from '../src/engine/session-config';
import { describeMachine, machineMarkdown } from './lib/machine-info';

/** Distinct feeds per batch size, cycled through, so the embedding rows differ run to run. */
const DISTINCT_FEEDS = 256;

interface PathTiming {
  readonly wallMicros: number;
  readonly cpuMicros: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeRuns(runs: number, run: (i: number) => unknown): Promise<PathTiming> {
  const wall: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    wall.push((performance.now() - started) * 1000);
  }
  const used = process.cpuUsage(cpu);
  return { wallMicros: median(wall), cpuMicros: (used.user + used.system) / runs };
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/ort-run-paths.js [flags]', {
    runs: { kind: 'integer', help: 'runs per path per round', defaultText: '3000' },
    rounds: { kind: 'integer', help: 'interleaved rounds (the median is printed)', defaultText: '7' },
    batch_sizes: { kind: 'list', help: 'rows per run', defaultText: '1,5,64' },
  });
  if (flags === undefined) return 0;
  const runs = (flags.runs as number | undefined) ?? 3000;
  const rounds = (flags.rounds as number | undefined) ?? 7;
  const batchSizes = ((flags.batch_sizes as string[] | undefined) ?? ['1', '5', '64']).map(Number);

  const modelDir = path.join(REPO_ROOT, 'serving_server');
  const signature = readModelSignatureFromDir(modelDir);
  const modelPath = path.join(modelDir, 'model.onnx');
  const { image } = prepareModelImage(modelPath, new Uint8Array(fs.readFileSync(modelPath)), { packColumns: true });
  const options = toOrtSessionOptions({ intraOpThreads: 1, allowSpinning: false, graphOptimizationLevel: 'all', memoryOptimization: true, executionProviders: [{ name: 'cpu' }] });
  const bytes = sessionBytes(image);
  const publicSession = await ort.InferenceSession.create(bytes, options as ort.InferenceSession.SessionOptions);
  const runPath = runPathFor(options);
  if (runPath !== 'native binding') throw new Error(`the server would use the ${runPath}: nothing to compare`);
  const direct = openDirectSession(bytes, options);
  const outputNames = [signature.outputs[0].name];
  const lines = createCriteoLineGenerator(20261130);
  const aliases = signature.inputs.map((spec) => spec.alias);

  process.stdout.write(`# ONNX Runtime run paths: public InferenceSession.run vs the native binding\n\n${machineMarkdown(describeMachine())}\n`);
  process.stdout.write(`- ${runs} runs per path per round, ${rounds} interleaved rounds, ${DISTINCT_FEEDS} distinct generated feeds per batch size, default model with packed column inputs, 1 intra-op thread\n\n`);
  process.stdout.write('| rows | public API µs per run (wall p50) | native binding µs per run | saved | public API CPU µs per run | native binding CPU µs per run |\n|---|---|---|---|---|---|\n');
  for (const rows of batchSizes) {
    const packed: Array<Record<string, HostTensor>> = [];
    for (let f = 0; f < DISTINCT_FEEDS; f++) {
      const { feed } = recordsToFeed(Array.from({ length: rows }, (_v, i) => parseSlotLine(lines.nextLine(), i + 1)), aliases);
      const byName: Record<string, HostTensor> = {};
      for (const spec of signature.inputs) byName[spec.name] = (feed as unknown as Record<string, HostTensor>)[spec.alias];
      packed.push(packColumnFeeds(byName, image.packings));
    }
    const publicFeeds = packed.map((feeds) => {
      const out: Record<string, ort.Tensor> = {};
      for (const name in feeds) out[name] = new ort.Tensor(feeds[name].dtype, feeds[name].data as ort.Tensor.DataType, feeds[name].dims as number[]);
      return out;
    });
    const publicRun = (i: number) => publicSession.run(publicFeeds[i % DISTINCT_FEEDS], outputNames);
    const directRun = (i: number) => {
      // Built per run, as the server does: the plain objects are part of the path's cost.
      const feeds = packed[i % DISTINCT_FEEDS];
      const native: Record<string, NativeFeed> = {};
      for (const name in feeds) native[name] = { type: feeds[name].dtype, dims: feeds[name].dims, data: feeds[name].data, location: 'cpu' };
      return direct.run(native, outputNames);
    };
    const a = await publicSession.run(publicFeeds[0], outputNames);
    const b = directRun(0);
    if (Buffer.compare(Buffer.from((a[outputNames[0]].data as Float32Array).buffer), Buffer.from((b[outputNames[0]].data as Float32Array).buffer)) !== 0) {
      throw new Error(`batch ${rows}: the two paths give different scores`);
    }
    await timeRuns(runs, publicRun);
    await timeRuns(runs, directRun);
    const publicTimes: PathTiming[] = [];
    const directTimes: PathTiming[] = [];
    for (let round = 0; round < rounds; round++) {
      publicTimes.push(await timeRuns(runs, publicRun));
      directTimes.push(await timeRuns(runs, directRun));
    }
    const pw = median(publicTimes.map((t) => t.wallMicros));
    const dw = median(directTimes.map((t) => t.wallMicros));
    const pc = median(publicTimes.map((t) => t.cpuMicros));
    const dc = median(directTimes.map((t) => t.cpuMicros));
    process.stdout.write(`| ${rows} | ${pw.toFixed(1)} | ${dw.toFixed(1)} | ${(pw - dw).toFixed(1)} | ${pc.toFixed(1)} | ${dc.toFixed(1)} |\n`);
  }
  direct.release();
  await publicSession.release();
  return 0;
}

runMain('ort-run-paths', main);
