#!/usr/bin/env node
/**
 * `rec-serve` (and `npm start`): the composition root. Reads flags, loads the model directory,
 * starts the worker pool (sessions created and warmed up before the port opens), wraps the core
 * in the gRPC adapter and serves until SIGINT/SIGTERM, then shuts down gracefully. SIGHUP re-reads
 * the model repository (src/repository/) and keeps serving.
 *
 * Exit codes: 0 after a clean shutdown, 2 for bad flags, 1 when the model cannot be served.
 */
import * as os from 'node:os';
import { ENVIRONMENT_HELP } from '../config/env-help';
import { FlagError, answerHelpOrVersion } from '../config/parse-flags';
import { SERVE_FLAGS, loadServeConfig } from '../config/serve-config';
import { createLogger } from '../logging/logger';
import { startServer } from '../server/start-server';
import { runMain } from './run-main';
import cluster from 'node:cluster';
import { runClusterPrimary } from '../cluster/cluster-primary';
import { announceReady, onPrimaryGone } from '../cluster/cluster-worker';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (answerHelpOrVersion(argv, `usage: rec-serve --model serving_server --port 9393 [flags]\n\n${ENVIRONMENT_HELP}`, SERVE_FLAGS, 'rec-serve')) return 0;
  let config;
  try {
    config = loadServeConfig(argv, process.env, os.availableParallelism());
  } catch (error) {
    if (error instanceof FlagError) {
      process.stderr.write(`rec-serve: ${error.problems.join('\nrec-serve: ')}\nrun rec-serve --help for the flags\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, config.logging.logFormat);
  for (const warning of config.startupWarnings) logger.warn(warning);
  if (config.processes > 1 && cluster.isPrimary) return runClusterPrimary(config, logger);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    logger.error(`cannot serve: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  announceReady(server.port);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal} received: draining (up to ${config.shutdownGraceMs} ms)`);
      server.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          resolve(1);
        },
      );
    };
    // SIGHUP re-reads the model repository (new, changed and removed models and versions) instead of ending the process.
    process.on('SIGHUP', () => {
      if (stopping) return;
      logger.info('SIGHUP received: re-reading the model repository');
      void server.modelControl.rescan();
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    onPrimaryGone(() => stop('the primary process exited'));
  });
}

runMain('rec-serve', main);
