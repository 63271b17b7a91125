#!/usr/bin/env node
/**
 * Cost of handing one batch-5 request for PaddleRec's 27 inputs to a piscina worker and back,
 * as 27 structured-cloned typed arrays (the engine's first design) versus one packed, transferred
 * buffer (engine/packed-tensors.ts, what the engine does now). Interleaved rounds, one process.
 *
 *   npx tsc -p . && node dist/benchmarks/worker-handoff.js [--tasks 4000] [--rounds 4]
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import type { HostTensor } from '../src/core/tensor';
import { packTensors } from '../src/engine/packed-tensors';

function criteoFeeds(): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (let i = 1; i <= 26; i++) feeds[`C${i}`] = { dtype: 'int64', dims: [5, 1], data: new BigInt64Array(5).fill(BigInt(i)) };
  feeds.dense_input = { dtype: 'float32', dims: [5, 13], data: new Float32Array(65).fill(0.5) };
  return feeds;
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/worker-handoff.js [flags]', {
    tasks: { kind: 'integer', help: 'timed tasks per variant and round' },
    rounds: { kind: 'integer', help: 'interleaved rounds' },
  });
  if (flags === undefined) return 0;
  const tasks = (flags.tasks as number | undefined) ?? 4000;
  const rounds = (flags.rounds as number | undefined) ?? 4;
  const pool = new Piscina({ filename: path.join(__dirname, 'handoff', 'echo-worker.js'), minThreads: 1, maxThreads: 1, idleTimeout: Number.POSITIVE_INFINITY });
  const variants = {
    '27 cloned typed arrays': async () => { await pool.run({ feeds: criteoFeeds() }); },
    'one packed transferred buffer': async () => {
      const packed = packTensors(criteoFeeds());
      await pool.run({ feeds: packed }, { transferList: [packed.buffer] });
    },
  };
  const totals = new Map<string, { micros: number; cpuMicros: number }>();
  for (const run of Object.values(variants)) for (let i = 0; i < 300; i++) await run();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < tasks; i++) await run();
      const used = process.cpuUsage(cpu);
      const total = totals.get(name) ?? { micros: 0, cpuMicros: 0 };
      total.micros += (performance.now() - start) * 1000;
      total.cpuMicros += used.user + used.system;
      totals.set(name, total);
    }
  }
  await pool.destroy();
  process.stdout.write(`worker hand-off round trip, batch 5, ${tasks * rounds} tasks per variant (process CPU includes the worker):\n`);
  for (const [name, total] of totals) {
    process.stdout.write(`  ${name.padEnd(30)} wall ${(total.micros / (tasks * rounds)).toFixed(1)} µs/task, CPU ${(total.cpuMicros / (tasks * rounds)).toFixed(1)} µs/task\n`);
  }
  return 0;
}

runMain('worker-handoff', main);
