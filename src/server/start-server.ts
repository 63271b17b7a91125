/**
 * Starts a complete rec-serving server from a ServeConfig: model directory or repository -> one
 * worker-pool engine per model version (sessions created and warmed up, src/repository/) -> core
 * Predictor -> gRPC services on one port.
 * Used by `rec-serve` and by the integration tests (port 0), so both run the same path.
 *
 * Contract: resolves once the port accepts calls and the model is warm; `stop()` closes the
 * listener and tells gRPC clients to go away (calls they sent before they could see that are
 * served), then refuses new calls (UNAVAILABLE), lets in-flight calls finish, then closes the
 * workers, all within
 * `shutdownGraceMs`: connections left then are destroyed and workers still running are
 * terminated. Rejects with a clear message when the model cannot be loaded.
 */
import { Predictor } from '../core/predictor';
import type { ServeConfig } from '../config/serve-config';
import { resolveProviders } from '../engine/providers/resolve-providers';
import type { RunningPortServer } from '../net/port-server-types';
import { startOnePortServer } from '../net/one-port-server';
import { createPaddleHttpServer } from '../http/paddle-http-handler';
import { serveBaiduStd } from '../paddle/brpc/baidu-std-connection';
import { createGeneralModelHandlers, createGeneralModelServiceHandlers, generalModelServiceDefinition } from '../paddle/grpc/general-model-grpc-service';
import { createPredictHandler, createPredictionServiceHandlers, predictionServiceDefinition } from '../grpc/predict-service';
import { PREDICT_PATH } from '../protocol/predict-messages';
import { createOipEndpoints } from '../kserve/oip-endpoints';
import type { Logger } from '../logging/logger';
import { createServingOps, type ServingOps } from '../ops/serving-ops';
import { startServingSecurity, type ServingSecurity } from './serving-security';
import { LoopLagShedder } from '../net/loop-lag-shedder';
import type { SessionConfig } from '../engine/session-config';
import { checkPortsFree, portProblem } from '../net/check-ports';
import { servingPorts } from './serving-ports';
import { startModelRepository } from '../repository/start-repository';
import { requestSizeWarnings } from './request-size-check';
import { admitGrpcCall } from './grpc-admission';
import type { ModelRepository } from '../repository/model-repository';
import type { BatchingOptions } from '../batching/batching-options';

export interface RunningServer {
  readonly port: number;
  readonly predictor: Predictor;
  /** The one-port server: gRPC, Paddle's HTTP/1.1 and baidu_std on `port`. */
  readonly portServer: RunningPortServer;
  /** Predict and Paddle's gRPC inference are served straight on node:http2 (false: through grpc-js). */
  readonly fastGrpcRoutes: boolean;
  /** Batcher, metrics, health, reflection and the ops HTTP port (serving-ops.ts). */
  readonly ops: ServingOps;
  /** The model repository: index, load, unload (the repository extension's ModelControl) and rescan (SIGHUP). */
  readonly modelControl: ModelRepository;
  stop(): Promise<void>;
}

export async function startServer(config: ServeConfig, logger: Logger): Promise<RunningServer> {
  await checkPortsFree(servingPorts(config));
  const ops = createServingOps(config, logger);
  // Probe requested GPU providers in child processes; strict policy rejects here with the loader's reason.
  const providers = await resolveProviders(config.providerRequest, config.workers, logger, { timeoutMs: config.probeTimeoutMs }, config.modelName === '' ? 'the models' : `model "${config.modelName}"`);
  const session: SessionConfig = {
    intraOpThreads: config.cpuThreadsPerWorker,
    allowSpinning: config.allowSpinning,
    graphOptimizationLevel: config.graphOptimizationLevel,
    memoryOptimization: config.memoryOptimization,
    executionProviders: providers.workerChains[0],
    workerExecutionProviders: providers.workerChains,
  };
  // --max_concurrency: one cap for every protocol, taken in the core (0 = none).
  // Load shedding on event-loop lag, asked by the core (every protocol). Both, and stopping, are also
  // asked before a gRPC or HTTP body is read (Predictor.admission).
  // The shedder starts once the port is open: start-up work must not count as lag.
  let shedder: LoopLagShedder | undefined;
  const refusal = config.shedLoopLagMs > 0 ? () => shedder?.refusal() : undefined;
  if (refusal !== undefined) ops.metrics.countShed(() => shedder?.shed ?? 0);
  const predictor = Predictor.create([], { maxConcurrency: config.ops.maxConcurrency, defaultModel: config.modelName, ...(refusal === undefined ? {} : { refusal }) });
  // Models and versions: loaded, validated and warmed up before the port opens; swapped while serving (src/repository/).
  const repository = await startModelRepository(config, logger, ops, predictor, session, providers.report);
  const sized = predictor.listVersions().map((m) => ({ name: m.name, version: m.version, signature: m.signature, maxRequestRows: m.options.maxRequestRows }));
  for (const warning of requestSizeWarnings(sized, config.maxBodyBytes)) logger.warn(warning);
  let portServer: RunningPortServer;
  let fastGrpcRoutes = false;
  let security: ServingSecurity;
  try {
    security = await startServingSecurity(config.security, logger, { handshakeTimeoutMs: config.connections.sniffTimeoutMs, host: config.host });
  } catch (error) {
    await ops.close();
    await repository.close();
    throw new Error(`cannot set up TLS / authentication: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    // One port for gRPC (Predict + Paddle's GeneralModelService), Paddle's HTTP/1.1 and baidu_std.
    const paddle = { predictor, logger, maxBodyBytes: config.maxBodyBytes, observe: ops.observe };
    const limits = config.connections;
    const predict = createPredictHandler({ predictor, logger, observe: ops.observe });
    const paddleGrpc = createGeneralModelHandlers(paddle);
    // The Open Inference Protocol (KServe V2): gRPC inference.GRPCInferenceService and the /v2 REST API.
    const oip = createOipEndpoints({ predictor, logger, observe: ops.observe, health: ops.health, registry: ops.metrics.registry, batchingOf: (m) => (m.engine.describe().details.batching as BatchingOptions | undefined) ?? ops.batchingFor(m.name, config.workers),
      maxBodyBytes: config.maxBodyBytes, modelControl: repository });
    portServer = await startOnePortServer({
      host: config.host,
      port: config.port,
      maxMessageBytes: config.maxBodyBytes,
      services: [
        { definition: predictionServiceDefinition, implementation: createPredictionServiceHandlers({ predictor, logger, observe: ops.observe }, predict) },
        { definition: generalModelServiceDefinition, implementation: createGeneralModelServiceHandlers(paddleGrpc) },
        oip.grpcService,
        ...ops.grpcServices(),
      ],
      unaryRoutes: new Map([[PREDICT_PATH, predict], ...paddleGrpc, ...oip.unaryRoutes]),
      // Asked before a gRPC body is read: stopping, load shedding and --max_concurrency refuse it unread (and it is counted).
      refusal: admitGrpcCall(predictor, ops.observe, [[PREDICT_PATH, 'grpc'], ...[...paddleGrpc.keys()].map((path) => [path, 'paddle_grpc'] as const), ...oip.unaryRoutes.map(([path]) => [path, 'kserve_grpc'] as const)]),
      onUnaryRoutes: (installed) => {
        fastGrpcRoutes = installed;
        if (!installed) logger.warn('this grpc-js version does not expose its HTTP/2 server: Predict and Paddle inference are served through grpc-js (same answers, more overhead per call)');
      },
      http1: createPaddleHttpServer({ ...paddle, v2: oip.http, timeouts: { headerTimeoutMs: limits.httpHeaderTimeoutMs, requestTimeoutMs: limits.httpRequestTimeoutMs, keepAliveTimeoutMs: limits.httpKeepAliveTimeoutMs } }),
      prpc: (socket, requests) => serveBaiduStd(socket, { ...paddle, frameTimeoutMs: limits.baiduStdFrameTimeoutMs, idleTimeoutMs: limits.baiduStdIdleTimeoutMs }, requests),
      sniffTimeoutMs: limits.sniffTimeoutMs,
      h2: { idleTimeoutMs: limits.h2IdleTimeoutMs, streamBodyTimeoutMs: limits.grpcStreamBodyTimeoutMs, maxConcurrentStreams: limits.grpcMaxConcurrentStreams },
      onH2Guards: (installed) => {
        if (!installed) logger.warn('this grpc-js version does not expose its HTTP/2 server: h2c idle and stream body timeouts are off, and more than ~1000 client-cancelled calls on one connection make Node close it');
      },
      security,
    });
    try {
      await ops.start();
    } catch (error) {
      await portServer.stop(0);
      throw new OpsPortError(portProblem(servingPorts(config)[1], error), { cause: error });
    }
    if (refusal !== undefined) shedder = LoopLagShedder.start(config.shedLoopLagMs);
  } catch (error) {
    security.close();
    await ops.close();
    await repository.close();
    if (error instanceof OpsPortError) throw error;
    throw new Error(portProblem(servingPorts(config)[0], error), { cause: error });
  }
  logger.info(`serving ${predictor.listModels().map((m) => `"${m.name}"`).join(', ') || 'no model yet'} on ${config.host}:${portServer.port} (gRPC rec_serving.v1.PredictionService and Paddle GeneralModelService; Paddle HTTP/1.1; baidu_std; ${security.summary})`);
  return {
    port: portServer.port,
    predictor,
    portServer,
    fastGrpcRoutes,
    ops,
    modelControl: repository,
    async stop() {
      const deadline = Date.now() + config.shutdownGraceMs;
      ops.markStopping();
      // Calls a client sent before it could see the GOAWAY are served; later ones are refused.
      await portServer.announceStop(config.shutdownGraceMs);
      predictor.beginShutdown();
      await portServer.stop(Math.max(0, deadline - Date.now()));
      const closing = repository.close();
      if (!(await settlesWithin(closing, deadline - Date.now()))) {
        logger.warn(`the workers did not finish within --shutdown_grace_ms (${config.shutdownGraceMs} ms): terminating them`);
        closing.catch(() => undefined);
        await repository.terminate();
      }
      await ops.close();
      security.close();
      shedder?.stop();
      logger.info('server stopped');
    },
  };
}

/** The metrics/health port could not be opened (the message names --prometheus_port). */
class OpsPortError extends Error {}

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
