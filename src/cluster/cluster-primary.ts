/**
 * The primary of `rec-serve --processes N` (node:cluster): forks N serving processes that share
 * the one port, serves the metrics port for all of them, and stops them together.
 *
 * Contract:
 * - Each process runs the whole server (its own workers, ONNX sessions, batcher) from the same
 *   flags; the primary loads no model. Connections are handed to the processes round robin
 *   (cluster.SCHED_RR, set explicitly): a connection stays with the process that accepted it,
 *   so one long-lived gRPC connection is served by one process and a client spreads its calls
 *   only by opening several connections (rec-client --connections, several clients, or an L7
 *   proxy such as nginx that opens its own).
 * - Port 0: every process listens through the primary's one shared handle, so all get the same
 *   free port; the primary logs `all N processes serving "<model>" on <host>:<port>` once every
 *   process reported ready.
 * - A process that exits before it was ready (bad model, port in use) stops the others and the
 *   primary exits 1. One that dies after it was ready is replaced (after 1 s), keeping its index.
 * - SIGHUP is passed on to every serving process (each re-reads the model repository).
 * - SIGTERM / SIGINT: health turns NOT ready, every process gets SIGTERM and drains (in-flight
 *   calls answered, new ones refused, within --shutdown_grace_ms); processes still alive 5 s
 *   after that are killed. Resolves 0 when every process exited 0, else 1.
 * - `--enable_prometheus`: the primary alone listens on the metrics port: `/metrics` is every
 *   process's registry aggregated (cluster-metrics.ts), `/v2/health/live` is 200 while the
 *   primary runs, `/v2/health/ready` is 200 while every process is ready and none is stopping.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Registry } from 'prom-client';
import { AggregatorRegistry } from 'prom-client';
import type { ServeConfig } from '../config/serve-config';
import { startOpsHttpServer, type OpsHttpServer } from '../health/ops-http-server';
import type { Logger } from '../logging/logger';
import { PROCESS_INDEX_ENV } from './cluster-metrics';
import { READY_MESSAGE, type ReadyMessage } from './cluster-worker';

const KILL_AFTER_GRACE_MS = 5000;
const RESPAWN_DELAY_MS = 1000;

interface Slot {
  worker: Worker;
  ready: boolean;
  port?: number;
  exitCode?: number | null;
}

export function runClusterPrimary(config: ServeConfig, logger: Logger): Promise<number> {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const slots: Slot[] = [];
  let stopping = false;
  let announced = false;
  let ops: OpsHttpServer | undefined;
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => { resolveExit = resolve; });
  let failed = false;

  const allReady = () => slots.length === config.processes && slots.every((s) => s.ready);
  logger.info(`starting ${config.processes} serving processes on ${config.host}:${config.port}, each with ${config.workers} worker(s) x ${config.cpuThreadsPerWorker} intra-op thread(s)`);

  const fork = (index: number): void => {
    const worker = cluster.fork({ [PROCESS_INDEX_ENV]: String(index) });
    const slot: Slot = { worker, ready: false };
    slots[index] = slot;
    worker.on('message', (message: ReadyMessage) => {
      if (message?.type !== READY_MESSAGE) return;
      slot.ready = true;
      slot.port = message.port;
      if (!announced && allReady()) {
        announced = true;
        logger.info(`all ${config.processes} processes serving "${config.modelName}" on ${config.host}:${message.port} (connections are spread over them round robin)`);
      }
    });
    worker.on('exit', (code, signal) => {
      slot.exitCode = code;
      const wasReady = slot.ready;
      slot.ready = false;
      if (stopping) {
        if (code !== 0) failed = true;
        if (slots.every((s) => s.exitCode !== undefined)) void finish();
        return;
      }
      if (!wasReady) {
        logger.error(`serving process ${index} exited (${signal ?? `code ${code}`}) before it was ready; stopping the others`);
        failed = true;
        stopAll('a process failed to start');
        return;
      }
      logger.error(`serving process ${index} (pid ${worker.process.pid}) died (${signal ?? `code ${code}`}); starting a replacement in ${RESPAWN_DELAY_MS} ms`);
      setTimeout(() => { if (!stopping) fork(index); }, RESPAWN_DELAY_MS);
    });
  };

  const finish = async () => {
    await ops?.close();
    logger.info(`all ${config.processes} serving processes stopped`);
    resolveExit(failed ? 1 : 0);
  };

  const stopAll = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: draining ${slots.filter((s) => s.exitCode === undefined).length} serving process(es) (up to ${config.shutdownGraceMs} ms)`);
    for (const slot of slots) if (slot.exitCode === undefined) slot.worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const slot of slots) {
        if (slot.exitCode === undefined) {
          logger.warn(`serving process pid ${slot.worker.process.pid} did not stop within --shutdown_grace_ms + ${KILL_AFTER_GRACE_MS} ms: killing it`);
          slot.worker.process.kill('SIGKILL');
        }
      }
    }, config.shutdownGraceMs + KILL_AFTER_GRACE_MS).unref();
    if (slots.every((s) => s.exitCode !== undefined)) void finish();
  };

  process.once('SIGTERM', () => stopAll('SIGTERM received'));
  process.once('SIGINT', () => stopAll('SIGINT received'));
  // SIGHUP: every serving process re-reads the model repository.
  process.on('SIGHUP', () => {
    if (stopping) return;
    logger.info('SIGHUP received: every serving process re-reads the model repository');
    for (const slot of slots) if (slot.exitCode === undefined) slot.worker.process.kill('SIGHUP');
  });

  for (let i = 0; i < config.processes; i++) fork(i);

  if (config.ops.enablePrometheus) {
    const aggregator = new AggregatorRegistry();
    const registry = { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType } as unknown as Registry;
    startOpsHttpServer({
      host: config.ops.prometheusHost,
      port: config.ops.prometheusPort,
      registry,
      health: {
        get isLive() { return true; },
        get isReady() { return !stopping && allReady(); },
        details: () => ({ processes: slots.map((s, index) => ({ index, pid: s.worker.process.pid, ready: s.ready })) }),
      },
    }).then(
      (server) => {
        ops = server;
        logger.info(`metrics of all processes and health on http://${config.ops.prometheusHost}:${server.port}/metrics, /v2/health/live, /v2/health/ready`);
        if (stopping) void server.close();
      },
      (error: unknown) => {
        logger.error(`cannot open the metrics port ${config.ops.prometheusHost}:${config.ops.prometheusPort}: ${error instanceof Error ? error.message : String(error)}`);
        failed = true;
        stopAll('the metrics port cannot open');
      },
    );
  }
  return exited;
}
