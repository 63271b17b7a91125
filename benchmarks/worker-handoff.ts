#!/usr/bin/env node
/**
 * Cost of handing one batch-5 request for PaddleRec's 27 inputs to a worker and back, the worker
 * answering at once: through piscina's task queue as 27 structured-cloned typed arrays (the
 * engine's first design) or as one packed, transferred buffer (engine/packed-tensors.ts), with
 * piscina's default Atomics.wait between tasks or with it off, and that buffer over a direct lane
 * to the worker (engine/worker-lanes.ts, what the engine does now). Interleaved rounds, one process, one worker; per task: wall time, the main thread's CPU
 * (Linux, from /proc) and the process's. With `--gap_ms N` every task follows N ms of idleness
 * (a timer), so both threads sleep between tasks as they do in a server at one request in
 * flight; the timer's own cost is then in every variant's CPU, and wall time counts the task only.
 *
 *   npx tsc -p . && node dist/benchmarks/worker-handoff.js [--tasks 4000] [--rounds 4] [--gap_ms 0]
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { runMain } from '../src/cli/run-main';
import type { HostTensor } from '../src/core/tensor';
import { packTensors } from '../src/engine/packed-tensors';
import { WorkerLanes } from '../src/engine/worker-lanes';

function criteoFeeds(): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (let i = 1; i <= 26; i++) feeds[`C${i}`] = { dtype: 'int64', dims: [5, 1], data: new BigInt64Array(5).fill(BigInt(i)) };
  feeds.dense_input = { dtype: 'float32', dims: [5, 13], data: new Float32Array(65).fill(0.5) };
  return feeds;
}

/** CPU microseconds the main thread has used (undefined where /proc is not there). */
function mainThreadCpuMicros(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/worker-handoff.js [flags]', {
    tasks: { kind: 'integer', help: 'timed tasks per variant and round' },
    rounds: { kind: 'integer', help: 'interleaved rounds' },
    gap_ms: { kind: 'integer', help: 'idle milliseconds before each task (0: back to back)' },
  });
  if (flags === undefined) return 0;
  const tasks = (flags.tasks as number | undefined) ?? 4000;
  const rounds = (flags.rounds as number | undefined) ?? 4;
  const gapMs = (flags.gap_ms as number | undefined) ?? 0;
  const idle = () => new Promise((resolve) => setTimeout(resolve, gapMs));
  const filename = path.join(__dirname, 'handoff', 'echo-worker.js');
  // piscina as configured by default: an idle worker waits in Atomics.wait for its next task.
  const piscinaPool = new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.POSITIVE_INFINITY });
  // As the engine runs it: idle workers wait in their event loop, so lane messages reach them.
  const pool = new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.POSITIVE_INFINITY, atomics: 'disabled' });
  const lanes = new WorkerLanes<unknown>((task, transfer) => pool.run(task, { transferList: [...transfer] }));
  const laneOpened = new Promise<void>((resolve) => {
    pool.on('message', (message: { lane?: MessagePort }) => {
      if (message.lane === undefined) return;
      lanes.add(1, message.lane);
      resolve();
    });
  });
  await Promise.all([pool.run(null), piscinaPool.run(null)]);
  await laneOpened;
  const variants = {
    'piscina: 27 cloned typed arrays': async () => { await piscinaPool.run({ feeds: criteoFeeds() }); },
    'piscina: one packed transferred buffer': async () => {
      const packed = packTensors(criteoFeeds());
      await piscinaPool.run({ feeds: packed }, { transferList: [packed.buffer] });
    },
    'piscina, atomics off: one packed buffer': async () => {
      const packed = packTensors(criteoFeeds());
      await pool.run({ feeds: packed }, { transferList: [packed.buffer] });
    },
    'lane: one packed transferred buffer': async () => {
      const packed = packTensors(criteoFeeds());
      await lanes.run({ feeds: packed }, [packed.buffer]);
    },
  };
  const totals = new Map<string, { micros: number; cpuMicros: number; mainCpuMicros: number }>();
  for (const run of Object.values(variants)) for (let i = 0; i < 300; i++) await run();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const cpu = process.cpuUsage();
      const mainCpu = mainThreadCpuMicros();
      let micros = 0;
      for (let i = 0; i < tasks; i++) {
        if (gapMs > 0) await idle();
        const start = performance.now();
        await run();
        micros += (performance.now() - start) * 1000;
      }
      const used = process.cpuUsage(cpu);
      const mainCpuAfter = mainThreadCpuMicros();
      const total = totals.get(name) ?? { micros: 0, cpuMicros: 0, mainCpuMicros: 0 };
      total.micros += micros;
      total.cpuMicros += used.user + used.system;
      total.mainCpuMicros += mainCpu === undefined || mainCpuAfter === undefined ? Number.NaN : mainCpuAfter - mainCpu;
      totals.set(name, total);
    }
  }
  await Promise.all([pool.destroy(), piscinaPool.destroy()]);
  const n = tasks * rounds;
  process.stdout.write(`worker hand-off round trip, batch 5, ${n} tasks per variant, ${gapMs > 0 ? `${gapMs} ms idle before each` : 'back to back'} (process CPU includes the worker${gapMs > 0 ? ' and the idle timer' : ''}):\n`);
  for (const [name, total] of totals) {
    const main = Number.isNaN(total.mainCpuMicros) ? 'n/a' : `${(total.mainCpuMicros / n).toFixed(1)} µs/task`;
    process.stdout.write(`  ${name.padEnd(40)} wall ${(total.micros / n).toFixed(1)} µs/task, main-thread CPU ${main}, process CPU ${(total.cpuMicros / n).toFixed(1)} µs/task\n`);
  }
  return 0;
}

runMain('worker-handoff', main);
