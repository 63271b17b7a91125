/**
 * Starts a complete rec-serving server from a ServeConfig: model directory -> worker-pool engine
 * (sessions created and warmed up) -> core Predictor -> gRPC services on one port.
 * Used by `rec-serve` and by the integration tests (port 0), so both run the same path.
 *
 * Contract: resolves once the port accepts calls and the model is warm; `stop()` refuses new
 * calls (UNAVAILABLE), lets in-flight calls finish, then closes the workers, all within
 * `shutdownGraceMs`: connections left then are destroyed and workers still running are
 * terminated. Rejects with a clear message when the model cannot be loaded.
 */
import * as os from 'node:os';
import { Predictor } from '../core/predictor';
import { ServedModel } from '../core/served-model';
import { syntheticFeeds } from '../core/synthetic-feeds';
import type { ServeConfig } from '../config/serve-config';
import { WorkerPoolEngine } from '../engine/worker-pool-engine';
import { resolveProviders } from '../engine/providers/resolve-providers';
import type { RunningPortServer } from '../net/port-server-types';
import { startOnePortServer } from '../net/one-port-server';
import { createPaddleHttpServer } from '../http/paddle-http-handler';
import { serveBaiduStd } from '../paddle/brpc/baidu-std-connection';
import { createGeneralModelHandlers, createGeneralModelServiceHandlers, generalModelServiceDefinition } from '../paddle/grpc/general-model-grpc-service';
import { createPredictHandler, createPredictionServiceHandlers, predictionServiceDefinition } from '../grpc/predict-service';
import { PREDICT_PATH } from '../protocol/predict-messages';
import type { Logger } from '../logging/logger';
import { loadModelDir } from '../model/load-model-dir';
import { createServingOps, type ServingOps } from './serving-ops';
import { InlineOnnxEngine } from '../engine/inline-onnx-engine';
import { LoopLagShedder } from '../net/loop-lag-shedder';
import { prepareModelImage, type ModelImage } from '../engine/model-image';
import type { HostTensor } from '../core/tensor';
import type { SessionConfig } from '../engine/session-config';

export interface RunningServer {
  readonly port: number;
  readonly predictor: Predictor;
  /** The one-port server: gRPC, Paddle's HTTP/1.1 and baidu_std on `port`. */
  readonly portServer: RunningPortServer;
  /** Predict and Paddle's gRPC inference are served straight on node:http2 (false: through grpc-js). */
  readonly fastGrpcRoutes: boolean;
  /** Batcher, metrics, health, reflection and the ops HTTP port (serving-ops.ts). */
  readonly ops: ServingOps;
  stop(): Promise<void>;
}

export async function startServer(config: ServeConfig, logger: Logger): Promise<RunningServer> {
  const loaded = loadModelDir(config.modelDir);
  logger.info(`loading model "${config.modelName}" version ${loaded.version} from ${loaded.modelPath}`, {
    inputs: loaded.signature.inputs.length,
    outputs: loaded.signature.outputs.map((o) => o.alias),
    config: loaded.configPath,
  });
  if (config.processes * config.workers * config.cpuThreadsPerWorker > Math.max(1, os.availableParallelism())) {
    logger.warn(`${config.processes > 1 ? `${config.processes} processes x ` : ''}${config.workers} workers x ${config.cpuThreadsPerWorker} threads oversubscribe the CPU's cores; expect worse latency`);
  }
  const outputNames = loaded.signature.outputs.map((spec) => spec.name);
  const ops = createServingOps(config, logger);
  const warmupBatchSizes = ops.warmupBatchSizes(config.warmupBatchSizes, config.maxRequestRows);
  // Probe requested GPU providers in child processes; strict policy rejects here with the loader's reason.
  const providers = await resolveProviders(config.providerRequest, config.workers, logger, { timeoutMs: config.probeTimeoutMs }, `model "${config.modelName}"`);
  const started = Date.now();
  const session: SessionConfig = {
    intraOpThreads: config.cpuThreadsPerWorker,
    allowSpinning: config.allowSpinning,
    graphOptimizationLevel: config.graphOptimizationLevel,
    memoryOptimization: config.memoryOptimization,
    executionProviders: providers.workerChains[0],
    workerExecutionProviders: providers.workerChains,
  };
  const { image, note } = prepareModelImage(loaded.modelPath, loaded.modelBytes, { packColumns: config.packFeeds });
  logger.info(`model "${config.modelName}": ${note}`);
  const engine = await WorkerPoolEngine.create({
    model: image,
    workers: config.workers,
    session,
    providerReport: providers.report,
    warmupFeeds: warmupBatchSizes.map((rows) => syntheticFeeds(loaded.signature, rows)),
    warmupOutputNames: outputNames,
    onEngineFailure: (cause) => logger.error('engine run failed', { cause }),
    onWorkerStartFailure: (cause) => logger.error('a replacement worker could not start (piscina stops replacing workers after this)', { cause }),
    onReadyWorkersChanged: (ready, wanted) => {
      ops.setWorkers(config.modelName, ready, wanted);
      if (ready < wanted) logger.warn(`${ready} of ${wanted} workers can serve`);
      else logger.info(`${ready} of ${wanted} workers can serve`);
    },
    faultInjection: config.ops.faultInjection,
  });
  logger.info(`model ready in ${Date.now() - started} ms: ${config.workers} worker(s) x ${config.cpuThreadsPerWorker} thread(s), warmed up at batch sizes [${warmupBatchSizes.join(', ')}]`);
  const inline = await createInlineEngine(config, logger, session, image, warmupBatchSizes.filter((rows) => rows <= config.inlineMaxRows).map((rows) => syntheticFeeds(loaded.signature, rows)), outputNames);
  const model = ServedModel.create({
    name: config.modelName,
    version: loaded.version,
    signature: loaded.signature,
    engine: ops.wrapEngine(engine, config.modelName, loaded.version, config.workers, inline),
    maxRequestRows: config.maxRequestRows,
    source: loaded.dir,
    effectiveConfig: { ...config },
  });
  // --max_concurrency: one cap for every protocol, taken in the core (0 = none).
  // Load shedding on event-loop lag, asked by the core (every protocol) and by the gRPC fast route before a body is read.
  // The shedder starts once the port is open: start-up work must not count as lag.
  let shedder: LoopLagShedder | undefined;
  const refusal = config.shedLoopLagMs > 0 ? () => shedder?.refusal() : undefined;
  if (refusal !== undefined) ops.metrics.countShed(() => shedder?.shed ?? 0);
  const predictor = Predictor.create([model], { maxConcurrency: config.ops.maxConcurrency, ...(refusal === undefined ? {} : { refusal }) });
  let portServer: RunningPortServer;
  let fastGrpcRoutes = false;
  try {
    // One port for gRPC (Predict + Paddle's GeneralModelService), Paddle's HTTP/1.1 and baidu_std.
    const paddle = { predictor, logger, maxBodyBytes: config.maxBodyBytes, observe: ops.observe };
    const limits = config.connections;
    const predict = createPredictHandler({ predictor, logger, observe: ops.observe });
    const paddleGrpc = createGeneralModelHandlers(paddle);
    portServer = await startOnePortServer({
      host: config.host,
      port: config.port,
      maxMessageBytes: config.maxBodyBytes,
      services: [
        { definition: predictionServiceDefinition, implementation: createPredictionServiceHandlers({ predictor, logger, observe: ops.observe }, predict) },
        { definition: generalModelServiceDefinition, implementation: createGeneralModelServiceHandlers(paddleGrpc) },
        ...ops.grpcServices(),
      ],
      unaryRoutes: new Map([[PREDICT_PATH, predict], ...paddleGrpc]),
      ...(refusal === undefined ? {} : { refusal }),
      onUnaryRoutes: (installed) => {
        fastGrpcRoutes = installed;
        if (!installed) logger.warn('this grpc-js version does not expose its HTTP/2 server: Predict and Paddle inference are served through grpc-js (same answers, more overhead per call)');
      },
      http1: createPaddleHttpServer({ ...paddle, timeouts: { headerTimeoutMs: limits.httpHeaderTimeoutMs, requestTimeoutMs: limits.httpRequestTimeoutMs, keepAliveTimeoutMs: limits.httpKeepAliveTimeoutMs } }),
      prpc: (socket, requests) => serveBaiduStd(socket, { ...paddle, frameTimeoutMs: limits.baiduStdFrameTimeoutMs, idleTimeoutMs: limits.baiduStdIdleTimeoutMs }, requests),
      sniffTimeoutMs: limits.sniffTimeoutMs,
      h2: { idleTimeoutMs: limits.h2IdleTimeoutMs, streamBodyTimeoutMs: limits.grpcStreamBodyTimeoutMs, maxConcurrentStreams: limits.grpcMaxConcurrentStreams },
      onH2Guards: (installed) => {
        if (!installed) logger.warn('this grpc-js version does not expose its HTTP/2 server: h2c idle and stream body timeouts are off, and more than ~1000 client-cancelled calls on one connection make Node close it');
      },
    });
    await ops.start();
    if (refusal !== undefined) shedder = LoopLagShedder.start(config.shedLoopLagMs);
  } catch (error) {
    await ops.close();
    await predictor.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  logger.info(`serving "${config.modelName}" on ${config.host}:${portServer.port} (gRPC rec_serving.v1.PredictionService and Paddle GeneralModelService; Paddle HTTP/1.1; baidu_std)`);
  return {
    port: portServer.port,
    predictor,
    portServer,
    fastGrpcRoutes,
    ops,
    async stop() {
      const deadline = Date.now() + config.shutdownGraceMs;
      ops.markStopping();
      predictor.beginShutdown();
      await portServer.stop(config.shutdownGraceMs);
      const closing = predictor.close();
      if (!(await settlesWithin(closing, deadline - Date.now()))) {
        logger.warn(`the workers did not finish within --shutdown_grace_ms (${config.shutdownGraceMs} ms): terminating them`);
        closing.catch(() => undefined);
        await engine.terminate();
      }
      await ops.close();
      shedder?.stop();
      logger.info('server stopped');
    },
  };
}

/** True when `promise` settles (resolved or rejected, which rethrows) within `ms` milliseconds. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), Math.max(0, ms)); });
  try {
    return await Promise.race([promise.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The main-thread engine for lone small requests, or undefined (with the reason logged) when it is off or cannot apply. */
async function createInlineEngine(
  config: ServeConfig, logger: Logger, session: SessionConfig, model: ModelImage,
  warmupFeeds: ReadonlyArray<Record<string, HostTensor>>, warmupOutputNames: readonly string[],
): Promise<{ engine: InlineOnnxEngine; maxRows: number } | undefined> {
  if (config.inlineMaxRows === 0) return undefined;
  if (config.ops.faultInjection) {
    logger.info('main-thread runs are off: --fault_injection sends every run to the workers');
    return undefined;
  }
  const cpu = InlineOnnxEngine.cpuOnly(session);
  if ('reason' in cpu) {
    logger.info(`main-thread runs are off: ${cpu.reason}`);
    return undefined;
  }
  const engine = await InlineOnnxEngine.create({ model, session: cpu.session, warmupFeeds, warmupOutputNames });
  return { engine, maxRows: config.inlineMaxRows };
}
