/**
 * Starts a complete rec-serving server from a ServeConfig: model directory -> worker-pool engine
 * (sessions created and warmed up) -> core Predictor -> gRPC services on one port.
 * Used by `rec-serve` and by the integration tests (port 0), so both run the same path.
 *
 * Contract: resolves once the port accepts calls and the model is warm; `stop()` refuses new
 * calls (UNAVAILABLE), lets in-flight calls finish within `shutdownGraceMs`, then closes the
 * workers. Rejects with a clear message when the model cannot be loaded.
 */
import * as os from 'node:os';
import { Predictor } from '../core/predictor';
import { ServedModel } from '../core/served-model';
import { syntheticFeeds } from '../core/synthetic-feeds';
import type { ServeConfig } from '../config/serve-config';
import { WorkerPoolEngine } from '../engine/worker-pool-engine';
import { startGrpcServer, type RunningGrpcServer } from '../grpc/grpc-server';
import { createPredictionServiceHandlers, predictionServiceDefinition } from '../grpc/predict-service';
import type { Logger } from '../logging/logger';
import { loadModelDir } from '../model/load-model-dir';

export interface RunningServer {
  readonly port: number;
  readonly predictor: Predictor;
  readonly grpc: RunningGrpcServer;
  stop(): Promise<void>;
}

export async function startServer(config: ServeConfig, logger: Logger): Promise<RunningServer> {
  const loaded = loadModelDir(config.modelDir);
  logger.info(`loading model "${config.modelName}" version ${loaded.version} from ${loaded.modelPath}`, {
    inputs: loaded.signature.inputs.length,
    outputs: loaded.signature.outputs.map((o) => o.alias),
    config: loaded.configPath,
  });
  if (config.workers * config.cpuThreadsPerWorker > Math.max(1, os.availableParallelism())) {
    logger.warn(`${config.workers} workers x ${config.cpuThreadsPerWorker} threads oversubscribe the CPU's cores; expect worse latency`);
  }
  const outputNames = loaded.signature.outputs.map((spec) => spec.name);
  const started = Date.now();
  const engine = await WorkerPoolEngine.create({
    modelPath: loaded.modelPath,
    workers: config.workers,
    session: {
      intraOpThreads: config.cpuThreadsPerWorker,
      allowSpinning: config.allowSpinning,
      graphOptimizationLevel: config.graphOptimizationLevel,
      memoryOptimization: config.memoryOptimization,
      executionProviders: config.executionProviders,
    },
    warmupFeeds: config.warmupBatchSizes.map((rows) => syntheticFeeds(loaded.signature, rows)),
    warmupOutputNames: outputNames,
    onEngineFailure: (cause) => logger.error('engine run failed', { cause }),
  });
  logger.info(`model ready in ${Date.now() - started} ms: ${config.workers} worker(s) x ${config.cpuThreadsPerWorker} thread(s), warmed up at batch sizes [${config.warmupBatchSizes.join(', ')}]`);
  const model = ServedModel.create({
    name: config.modelName,
    version: loaded.version,
    signature: loaded.signature,
    engine,
    maxRequestRows: config.maxRequestRows,
    source: loaded.dir,
    effectiveConfig: { ...config },
  });
  const predictor = Predictor.create([model]);
  let grpc: RunningGrpcServer;
  try {
    grpc = await startGrpcServer({
      host: config.host,
      port: config.port,
      maxMessageBytes: config.maxBodyBytes,
      services: [{ definition: predictionServiceDefinition, implementation: createPredictionServiceHandlers({ predictor, logger }) }],
    });
  } catch (error) {
    await predictor.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  logger.info(`serving "${config.modelName}" on ${config.host}:${grpc.port} (gRPC rec_serving.v1.PredictionService)`);
  return {
    port: grpc.port,
    predictor,
    grpc,
    async stop() {
      predictor.beginShutdown();
      await grpc.stop(config.shutdownGraceMs);
      await predictor.close();
      logger.info('server stopped');
    },
  };
}
