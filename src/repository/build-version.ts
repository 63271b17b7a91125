/**
 * Builds one servable model version from bytes already read and validated (LoadedModel): its
 * model image in shared memory (weights in one private memory-mapped file shared by all its
 * sessions unless --mmap_weights false), a warmed-up worker pool, the optional main-thread engine for lone
 * small requests, and the batcher with its metrics labels, wrapped in a ServedModel. Nothing here
 * touches the Predictor: the caller decides when the version takes traffic.
 *
 * Contract: resolves once every worker ran the warm-up batches (the version can serve), or rejects
 * with the reason after releasing whatever it had started. `terminate()` of the result kills the
 * version's workers at once (for a shutdown past its grace period).
 */
import * as os from 'node:os';
import type { HostTensor } from '../core/tensor';
import { ServedModel } from '../core/served-model';
import { hasStaticRowShapes } from '../core/model-signature';
import { syntheticFeeds } from '../core/synthetic-feeds';
import type { ServeConfig } from '../config/serve-config';
import type { BatchingSettings } from '../config/batching-config';
import { InlineOnnxEngine } from '../engine/inline-onnx-engine';
import { prepareModelImage, type ModelImage } from '../engine/model-image';
import { pinWeightsToFile } from '../engine/model-weights-file';
import { runPathFor } from '../engine/ort-direct-session';
import { toWorkerOrtSessionOptions, type SessionConfig } from '../engine/session-config';
import { WorkerPoolEngine } from '../engine/worker-pool-engine';
import type { ProviderReport } from '../engine/providers/resolve-providers';
import type { Logger } from '../logging/logger';
import type { LoadedModel } from '../model/load-model-dir';
import type { ServingOps } from '../ops/serving-ops';

export interface VersionBuildContext {
  readonly config: ServeConfig;
  readonly logger: Logger;
  readonly ops: ServingOps;
  /** The session options every worker uses (providers resolved once at start-up). */
  readonly session: SessionConfig;
  readonly providerReport: ProviderReport | undefined;
}

export interface VersionSettings {
  readonly workers: number;
  readonly maxRequestRows: number;
  /** Batching settings from the model's config.pbtxt (the --batching_overrides flag still wins). */
  readonly batching: Partial<BatchingSettings>;
  /** Told when this version's ready worker count changes (after it started). */
  readonly onReadyWorkersChanged: (ready: number, wanted: number) => void;
}

export interface BuiltVersion {
  readonly served: ServedModel;
  readonly workers: number;
  /** Lets queued and running requests finish, closes the sessions, then removes the pinned weights file. */
  close(): Promise<void>;
  terminate(): Promise<void>;
}

export async function buildVersion(context: VersionBuildContext, name: string, loaded: LoadedModel, settings: VersionSettings): Promise<BuiltVersion> {
  const { config, logger, ops, session } = context;
  const started = Date.now();
  const prepared = prepareModelImage(loaded.modelPath, loaded.modelBytes, { packColumns: config.packFeeds });
  logger.info(`model "${name}" version ${loaded.version}: ${prepared.note}`);
  const pinned = config.repository.mmapWeights ? pinWeightsToFile(prepared.image) : { image: prepared.image, note: 'weights are copied into each session (--mmap_weights false)', release: () => undefined };
  logger.info(`model "${name}" version ${loaded.version}: ${pinned.note}`);
  const image = pinned.image;
  try {
    return await buildFromImage(context, name, loaded, settings, image, started, pinned.release);
  } catch (error) {
    pinned.release();
    throw error;
  }
}

async function buildFromImage(
  context: VersionBuildContext, name: string, loaded: LoadedModel, settings: VersionSettings, image: ModelImage, started: number, release: () => void,
): Promise<BuiltVersion> {
  const { config, logger, ops, session } = context;
  const batching = { ...settings.batching, ...(config.batching.overrides[name] ?? {}) };
  const warmupBatchSizes = warmupSizes(config, batching, settings.maxRequestRows);
  const outputNames = loaded.signature.outputs.map((spec) => spec.name);
  const engine = await WorkerPoolEngine.create({
    model: image,
    workers: settings.workers,
    session,
    ...(context.providerReport === undefined ? {} : { providerReport: context.providerReport }),
    warmupFeeds: warmupBatchSizes.map((rows) => syntheticFeeds(loaded.signature, rows)),
    warmupOutputNames: outputNames,
    onEngineFailure: (cause) => logger.error('engine run failed', { model: name, version: loaded.version, cause }),
    onWorkerStartFailure: (cause) => logger.error('a replacement worker could not start (piscina stops replacing workers after this)', { model: name, version: loaded.version, cause }),
    onReadyWorkersChanged: settings.onReadyWorkersChanged,
    faultInjection: config.ops.faultInjection,
  });
  let inline: { engine: InlineOnnxEngine; maxRows: number; pollMicros: number } | undefined;
  try {
    inline = await createInlineEngine(config, logger, session, image, warmupBatchSizes.filter((rows) => rows <= config.inlineMaxRows).map((rows) => syntheticFeeds(loaded.signature, rows)), outputNames);
  } catch (error) {
    await engine.terminate();
    throw error;
  }
  logger.info(`model "${name}" version ${loaded.version} ready in ${Date.now() - started} ms: ${settings.workers} worker(s) x ${session.intraOpThreads} thread(s), warmed up at batch sizes [${warmupBatchSizes.join(', ')}]; ONNX Runtime called through ${[...new Set(toWorkerOrtSessionOptions(session).map(runPathFor))].join(' / ')}`);
  const served = ServedModel.create({
    name,
    version: loaded.version,
    signature: loaded.signature,
    // Every request is validated against this signature first: without dynamic dimensions their feeds merge uncompared.
    engine: ops.wrapEngine(engine, name, loaded.version, settings.workers, inline, settings.batching, hasStaticRowShapes(loaded.signature)),
    maxRequestRows: settings.maxRequestRows,
    source: loaded.dir,
    effectiveConfig: { ...config, modelName: name, workers: settings.workers, maxRequestRows: settings.maxRequestRows, modelFile: loaded.modelPath, modelConfig: loaded.configPath },
  });
  return {
    served,
    workers: settings.workers,
    close: () => served.engine.close().finally(release),
    terminate: () => engine.terminate().finally(release),
  };
}

/** Workers for one model when the config does not say: the --thread budget shared by the models, at least 1. */
export function workerShare(config: ServeConfig, models: number): number {
  return Math.max(1, Math.floor(config.workers / Math.max(1, models)));
}

/** Warns when the loaded versions together (in every serving process) run more threads than the machine has cores. */
export function threadBudgetWarning(totalWorkers: number, threadsPerWorker: number, processes = 1): string | undefined {
  const cores = Math.max(1, os.availableParallelism());
  if (processes * totalWorkers * threadsPerWorker <= cores) return undefined;
  return `${processes > 1 ? `${processes} processes x ` : ''}${totalWorkers} workers x ${threadsPerWorker} threads (all loaded model versions) oversubscribe the CPU's ${cores} cores; expect worse latency`;
}

function warmupSizes(config: ServeConfig, batching: Partial<BatchingSettings>, maxRequestRows: number): number[] {
  const sizes = new Set(config.warmupBatchSizes.filter((size) => size <= maxRequestRows));
  const enabled = batching.enabled ?? config.batching.enabled;
  const maxBatch = batching.maxBatchSize ?? config.batching.maxBatchSize;
  if (enabled && config.warmupBatchSizes.length > 0) sizes.add(Math.min(maxBatch, maxRequestRows));
  return [...sizes].sort((a, b) => a - b);
}

/** The main-thread engine for lone small requests, or undefined (with the reason logged) when it is off or cannot apply. */
async function createInlineEngine(
  config: ServeConfig, logger: Logger, session: SessionConfig, model: ModelImage,
  warmupFeeds: ReadonlyArray<Record<string, HostTensor>>, warmupOutputNames: readonly string[],
): Promise<{ engine: InlineOnnxEngine; maxRows: number; pollMicros: number } | undefined> {
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
  return { engine, maxRows: config.inlineMaxRows, pollMicros: config.mainThreadPollMicros };
}
