/**
 * The served sweep: rec-serve in its own process, the client in this one; for
 * every server variant (batcher off/on), client mode and batch size, a closed-loop concurrency
 * sweep, then an open-loop Poisson sweep at fractions of the best closed-loop request rate.
 *
 * Contract: a client mode that cannot talk to the server (its first request fails) is recorded in
 * `notes` with the error and skipped for that server, never dropped silently; every level is measured with runLoadLevel's windows
 * and stability rule; the server is stopped even when a level throws.
 */
import * as path from 'node:path';
import { createTransport } from '../../src/client/transports';
import type { TransportOptions } from '../../src/client/transport-options';
import type { Batch } from '../../src/client/closed-loop-runner';
import type { StabilityRule } from '../lib/stability';
import { startServerProcess } from '../lib/server-process';
import { createEta } from '../lib/eta';
import { loadRequestBatches } from './load-batches';
import { runLoadLevel, type LevelResult } from './load-level';
import type { ServerVariant } from './server-variants';

export interface SweepOptions {
  readonly dataPath: string;
  readonly serverScript: string;
  readonly modelDir: string;
  readonly variants: readonly ServerVariant[];
  readonly modes: readonly string[];
  readonly batchSizes: readonly number[];
  /** Batch sizes for every mode after the first (a quick run measures the others at fewer sizes). */
  readonly otherModeBatchSizes: readonly number[];
  readonly concurrencies: readonly number[];
  /** Open-loop rates as fractions of the best closed-loop requests/s of the same group. */
  readonly rateFractions: readonly number[];
  readonly windowMs: number;
  readonly maxWindows: number;
  readonly rule: StabilityRule;
  readonly maxBatchesPerSize: number;
  readonly deadlineMs: number;
  readonly fetch: readonly string[];
  /** What the client modes need beyond the address (the client config's signature). */
  readonly transportOptions: TransportOptions;
  readonly progress: (message: string) => void;
}

export interface SweepRow extends LevelResult {
  readonly variant: string;
  readonly mode: string;
  readonly batchSize: number;
}

export interface SweepResult {
  readonly rows: SweepRow[];
  readonly notes: string[];
  readonly serverArgs: Record<string, readonly string[]>;
}

const levelName = (r: LevelResult) => (r.load.kind === 'concurrency' ? `concurrency ${r.load.concurrency}` : `rate ${r.load.requestsPerSecond.toFixed(0)}/s`);

export async function runServedSweep(options: SweepOptions): Promise<SweepResult> {
  const rows: SweepRow[] = [];
  const notes: string[] = [];
  const serverArgs: Record<string, readonly string[]> = {};
  const batchCache = new Map<number, Batch[]>();
  const batchesFor = async (size: number) => {
    let batches = batchCache.get(size);
    if (batches === undefined) {
      batches = await loadRequestBatches(options.dataPath, size, options.maxBatchesPerSize);
      batchCache.set(size, batches);
    }
    return batches;
  };
  // Overall progress: every level of every group is one step; a skipped mode's levels count as done.
  const levelsPerSize = options.concurrencies.length + options.rateFractions.length;
  const sizesOf = (modeIndex: number) => (modeIndex === 0 ? options.batchSizes : options.otherModeBatchSizes);
  const total = options.variants.length * options.modes.reduce((sum, _mode, i) => sum + sizesOf(i).length * levelsPerSize, 0);
  const eta = createEta(total);
  for (const variant of options.variants) {
    const args = ['--model', options.modelDir, '--port', '0', '--host', '127.0.0.1', '--warmup_batch_sizes', [...new Set([1, 5, 32, ...options.batchSizes])].join(','), ...variant.args];
    serverArgs[variant.name] = args;
    options.progress(`starting rec-serve (${variant.name}): ${path.relative(process.cwd(), options.serverScript)} ${args.join(' ')}`);
    const server = await startServerProcess(options.serverScript, args);
    options.progress(`rec-serve (${variant.name}) is pid ${server.pid} on ${server.address} [${eta.text()}]`);
    try {
      for (const [modeIndex, mode] of options.modes.entries()) {
        const transport = createTransport(mode, server.address, options.deadlineMs, options.transportOptions);
        try {
          const sizes = sizesOf(modeIndex);
          for (const [sizeIndex, batchSize] of sizes.entries()) {
            const batches = await batchesFor(batchSize);
            try {
              await transport.predict(batches[0].feed, options.fetch, 0);
            } catch (error) {
              const reason = error instanceof Error ? error.message : String(error);
              notes.push(`client mode "${mode}" against ${variant.name}: first request at batch ${batchSize} failed (${reason.split('\n')[0].slice(0, 200)}); mode skipped for this server`);
              for (let i = 0; i < (sizes.length - sizeIndex) * levelsPerSize; i++) eta.done();
              options.progress(`client mode "${mode}" failed its first request: skipped (${reason.split('\n')[0].slice(0, 120)}) [${eta.text()}]`);
              break;
            }
            const group = `${variant.name}, ${mode}, batch ${batchSize}`;
            let bestRequestsPerSecond = 0;
            for (const concurrency of options.concurrencies) {
              const result = await runLoadLevel(transport, batches, { load: { kind: 'concurrency', concurrency }, windowMs: options.windowMs, maxWindows: options.maxWindows, rule: options.rule, fetch: options.fetch });
              rows.push({ ...result, variant: variant.name, mode, batchSize });
              bestRequestsPerSecond = Math.max(bestRequestsPerSecond, result.requestsPerSecond);
              eta.done();
              options.progress(`${group}: ${levelName(result)}: ${result.rowsPerSecond.toFixed(0)} rows/s, p99 ${(result.latency.p99Micros / 1000).toFixed(2)} ms${result.stable ? '' : ' (unstable)'} [${eta.text()}]`);
            }
            for (const fraction of options.rateFractions) {
              const rate = bestRequestsPerSecond * fraction;
              if (!(rate > 0)) {
                eta.done();
                continue;
              }
              const result = await runLoadLevel(transport, batches, { load: { kind: 'rate', requestsPerSecond: rate }, windowMs: options.windowMs, maxWindows: options.maxWindows, rule: options.rule, fetch: options.fetch, seed: batchSize });
              rows.push({ ...result, variant: variant.name, mode, batchSize });
              eta.done();
              options.progress(`${group}: ${levelName(result)} (${Math.round(fraction * 100)}% of best): ${result.rowsPerSecond.toFixed(0)} rows/s, p99 ${(result.latency.p99Micros / 1000).toFixed(2)} ms${result.stable ? '' : ' (unstable)'} [${eta.text()}]`);
            }
          }
        } finally {
          transport.close();
        }
      }
    } finally {
      await server.stop();
    }
  }
  return { rows, notes, serverArgs };
}

/** The level with the highest rows/s whose p99 stays within the bound and had no failures. */
export function bestUnderBound(rows: readonly SweepRow[], boundMicros: number): SweepRow | undefined {
  let best: SweepRow | undefined;
  for (const row of rows) {
    if (row.latency.count === 0 || row.latency.p99Micros > boundMicros || Object.keys(row.failures).length > 0) continue;
    if (best === undefined || row.rowsPerSecond > best.rowsPerSecond) best = row;
  }
  return best;
}
