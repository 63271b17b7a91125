/**
 * The serving core around the engines, assembled for `start-server.ts` so that file
 * only wires it in: the dynamic batcher in front of each model's worker pool, Prometheus metrics,
 * gRPC health and reflection, and the operations HTTP port (metrics + V2 health).
 *
 * Contract:
 * - `createServingOps(config, logger)` builds the metrics registry (process metrics included) and
 *   the health state (NOT_SERVING until `start()`).
 * - `wrapEngine(engine, model, version)` returns the `BatchingEngine` that serves that model, with
 *   its metrics registered; `maxRunsInFlight` = the worker count, so batches never queue in piscina.
 * - `grpcServices()` are Health and reflection, to add to the gRPC server before it listens.
 * - `start()` opens the ops HTTP port when `--enable_prometheus` is set and marks the server ready;
 *   `markStopping()` turns health NOT_SERVING (first step of a shutdown); `close()` closes the port.
 * - `setWorkers(model, ready, wanted)`: health is NOT_SERVING while no worker of the model can
 *   serve; the ready endpoint's details show `workers: { ready, wanted }`.
 */
import { Registry } from 'prom-client';
import { BatchingEngine, type BatchingEngineOptions } from '../batching/batching-engine';
import { validateBatchingOptions, type BatchingOptions } from '../batching/batching-options';
import type { ServeConfig } from '../config/serve-config';
import type { BatchingSettings } from '../config/batching-config';
import type { InferenceEngine } from '../core/inference-engine';
import type { ServiceRegistration } from '../net/port-server-types';
import type { CallObserver } from '../core/call-observer';
import { startOpsHttpServer, type OpsHttpServer } from '../health/ops-http-server';
import { reflectionRegistrations } from '../health/reflection';
import { ServingHealth } from '../health/serving-health';
import type { Logger } from '../logging/logger';
import { createAccessLog } from '../metrics/access-log';
import { withBatchDebugLog } from '../metrics/batch-debug-log';
import { ServingMetrics } from '../metrics/serving-metrics';
import { shareWithPrimary } from '../cluster/cluster-metrics';
import { KSERVE_PROTO, KSERVE_PROTO_DIR, PADDLE_SERVICE_PROTO, PREDICT_PROTO, PROTO_ROOT } from '../protocol/proto-paths';
import { PADDLE_SERVICE_NAME } from '../paddle/service/paddle-messages';

/** gRPC services whose health is reported (besides the overall server, ""). */
const REPORTED_SERVICES = ['rec_serving.v1.PredictionService', PADDLE_SERVICE_NAME, 'inference.GRPCInferenceService'];

export interface ServingOps {
  readonly metrics: ServingMetrics;
  readonly health: ServingHealth;
  /** Metrics observer of every front end: the gRPC Predict handler and the Paddle adapters (via serveGeneralModelCall). */
  readonly observe: CallObserver;
  /** The ops HTTP port once started; undefined when --enable_prometheus is off. */
  readonly opsPort: number | undefined;
  /** The address the ops HTTP port listens on, once started. */
  readonly opsHost: string | undefined;
  /** `modelBatching`: the model's own settings (its config.pbtxt); --batching_overrides wins over them. */
  batchingFor(model: string, workers: number, modelBatching?: Partial<BatchingSettings>): BatchingOptions;
  /** Warm-up batch sizes: the configured ones plus the largest merged run (<= max request rows). */
  warmupBatchSizes(configured: readonly number[], maxRequestRows: number): number[];
  /** `inline`: a main-thread engine for lone small requests (BatchingEngine's `inline`). */
  wrapEngine(engine: InferenceEngine, model: string, version: string, workers: number, inline?: BatchingEngineOptions['inline'], modelBatching?: Partial<BatchingSettings>, uniformRowShapes?: boolean): BatchingEngine;
  grpcServices(): ServiceRegistration[];
  start(): Promise<void>;
  markStopping(): void;
  setWorkers(model: string, ready: number, wanted: number): void;
  close(): Promise<void>;
}

export function createServingOps(config: ServeConfig, logger: Logger): ServingOps {
  const registry = new Registry();
  const metrics = ServingMetrics.create(registry, { processMetrics: true });
  const health = ServingHealth.create([...REPORTED_SERVICES, config.modelName]);
  // In a --processes cluster worker: the primary serves the metrics port with every process's registry aggregated.
  const countForProcess = shareWithPrimary(registry);
  /** Per-model details for the ready endpoint (version, execution providers and probe report). */
  const modelDetails: Record<string, unknown> = {};
  let opsServer: OpsHttpServer | undefined;
  if (config.ops.faultInjection) logger.warn('--fault_injection is on: tests may kill workers; never use this in production');

  const accessLog = config.logging?.accessLog === true ? createAccessLog(config.logging.logFormat) : undefined;
  const observe: CallObserver = accessLog === undefined ? (event) => metrics.observeCall(event) : (event) => {
    metrics.observeCall(event);
    accessLog(event);
  };

  const batchingFor = (model: string, workers: number, modelBatching: Partial<BatchingSettings> = {}): BatchingOptions => {
    const { overrides, ...defaults } = config.batching;
    return validateBatchingOptions({ ...defaults, ...modelBatching, ...(overrides[model] ?? {}), maxRunsInFlight: workers });
  };

  return {
    metrics,
    health,
    observe: countForProcess === undefined ? observe : (event) => { countForProcess(); observe(event); },
    get opsPort() {
      return opsServer?.port;
    },
    get opsHost() {
      return opsServer?.host;
    },
    batchingFor,
    warmupBatchSizes(configured, maxRequestRows) {
      const sizes = new Set(configured);
      const batching = batchingFor(config.modelName, 1);
      if (batching.enabled && configured.length > 0) sizes.add(Math.min(batching.maxBatchSize, maxRequestRows));
      return [...sizes].sort((a, b) => a - b);
    },
    wrapEngine(engine, model, version, workers, inline, modelBatching, uniformRowShapes = false) {
      const batching = batchingFor(model, workers, modelBatching);
      let batchingEngine: BatchingEngine | undefined;
      const providers = engine.describe().executionProviders;
      const registered = metrics.registerModel(model, version, () => batchingEngine?.pendingRequests() ?? 0, providers);
      const observer = config.logLevel === 'debug' ? withBatchDebugLog(registered, model, logger) : registered;
      modelDetails[model] = { version, executionProviders: providers, providerReport: engine.describe().details.providers };
      batchingEngine = BatchingEngine.create({ inner: engine, batching, name: model, observer, uniformRowShapes, ...(inline === undefined ? {} : { inline }) });
      logger.info(`batching for "${model}": ${batching.enabled ? `on, max ${batching.maxBatchSize} rows per run, max queue delay ${batching.maxQueueDelayMicros} µs, preferred sizes [${batching.preferredBatchSizes.join(', ')}]` : 'off (one request per run)'}, ${batching.maxRunsInFlight} run(s) in flight${inline === undefined ? '' : `, requests of up to ${inline.maxRows} rows run on the main thread while the workers are idle${(inline.pollMicros ?? 0) > 0 ? ` (the event loop then polls for ${inline.pollMicros} µs)` : ''}`}, max ${batching.maxQueueSize} queued requests, max queue time ${batching.maxQueueTimeMicros > 0 ? `${batching.maxQueueTimeMicros} µs` : 'unlimited'}`);
      return batchingEngine;
    },
    grpcServices() {
      return [health.registration(), ...reflectionRegistrations([PREDICT_PROTO, PADDLE_SERVICE_PROTO, KSERVE_PROTO], [PROTO_ROOT, KSERVE_PROTO_DIR])];
    },
    async start() {
      if (config.ops.enablePrometheus && countForProcess === undefined) {
        opsServer = await startOpsHttpServer({ host: config.ops.prometheusHost, port: config.ops.prometheusPort, registry, health: { get isLive() { return health.isLive; }, get isReady() { return health.isReady; }, details: () => modelDetails } });
        logger.info(`metrics and health on http://${config.ops.prometheusHost}:${opsServer.port}/metrics, /v2/health/live, /v2/health/ready`);
      }
      health.markReady();
    },
    markStopping() {
      health.markStopping();
    },
    setWorkers(model, ready, wanted) {
      const details = modelDetails[model];
      if (details !== null && typeof details === 'object') (details as Record<string, unknown>).workers = { ready, wanted };
      health.setCanServe(ready > 0);
    },
    async close() {
      health.markStopping();
      await opsServer?.close();
    },
  };
}
