/**
 * The model lifecycle behind ModelControl (index / load / unload): which versions serve, loading
 * new ones beside the serving ones, swapping them in, retiring the old ones after they drain.
 *
 * Contract: `start` loads every model (`--model DIR`: the one model) or rejects naming each
 * failure. A version is validated, warmed up, then handed to the Predictor in one `setVersions`
 * step with the removal of what it replaces; retired engines close after their queued requests.
 * A failed version leaves the serving ones untouched, is logged, counted and shown UNAVAILABLE
 * with its reason, and is retried only when its file or the config changes (or on explicit load).
 * `rescan` (poll, SIGHUP) loads new/changed versions and unloads removed models (explicit mode:
 * only the loaded models). One operation per model at a time. Mode rules: explicit allows
 * load/unload; poll allows load (re-read now), refuses unload; none refuses both.
 */
import { Code, ServingError, notFound } from '../core/errors';
import type { ModelControl, ModelState, RepositoryEntry } from '../core/model-control';
import type { ModelControlMode } from '../config/repository-config';
import type { Predictor } from '../core/predictor';
import { findModelFile, loadModelVersion } from '../model/load-model-dir';
import { buildVersion, threadBudgetWarning, workerShare, type BuiltVersion, type VersionBuildContext } from './build-version';
import { readModelConfig, type RepositoryModelConfig } from './model-config-pbtxt';
import { configFingerprint, listModels, listVersions, type ModelSource, type VersionOnDisk } from './repository-layout';
import type { RepositoryMetrics } from './repository-metrics';
import { describePolicy, missingSpecific, selectVersions } from './version-policy';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type { ModelControlMode };

export interface ModelRepositoryOptions {
  readonly context: VersionBuildContext;
  readonly predictor: Predictor;
  readonly metrics: RepositoryMetrics;
  /** --model_repository; undefined: `--model DIR` served as the one model `config.modelName`. */
  readonly repository: string | undefined;
  readonly mode: ModelControlMode;
  /** Explicit mode: the models to load at start-up (empty: every model in the repository). */
  readonly loadAtStart?: readonly string[];
  /** Poll mode: seconds between rescans. */
  readonly pollSecs?: number;
}

interface ServingVersion {
  readonly version: string;
  readonly fingerprint: string;
  readonly configKey: string;
  readonly built: BuiltVersion;
}

interface ModelRecord {
  readonly source: ModelSource;
  serving: ServingVersion[];
  readonly failed: Map<string, { fingerprint: string; configKey: string; reason: string }>;
  /** Why the model as a whole cannot serve (config error, no version), or why it stopped. */
  reason: string;
  transition: 'LOADING' | 'UNLOADING' | undefined;
  /** Unloaded explicitly (explicit mode) or gone from disk: rescans leave it alone. */
  unloaded: boolean;
  chain: Promise<unknown>;
}

export class ModelRepository implements ModelControl {
  private readonly records = new Map<string, ModelRecord>();
  private readonly draining = new Set<Promise<void>>();
  /** Every version built and not yet closed (serving or draining): what `terminate` kills. */
  private readonly live = new Set<BuiltVersion>();
  private rescanning: Promise<void> | undefined;
  private closed = false;
  private poller: NodeJS.Timeout | undefined;

  private constructor(private readonly options: ModelRepositoryOptions) {}

  static async start(options: ModelRepositoryOptions): Promise<ModelRepository> {
    const repository = new ModelRepository(options);
    if (options.repository !== undefined && !(fs.existsSync(options.repository) && fs.statSync(options.repository).isDirectory())) {
      throw new Error(`model repository ${path.resolve(options.repository)} does not exist or is not a directory`);
    }
    const names = repository.modelNames();
    if (names.length === 0) options.context.logger.warn(`the model repository ${options.repository} holds no model directory: every request gets NOT_FOUND until one is added and loaded`);
    const wanted = options.mode === 'explicit' && (options.loadAtStart?.length ?? 0) > 0 ? [...options.loadAtStart!] : names;
    const unknown = wanted.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new Error(`--load_model ${unknown.join(', ')}: not in the model repository ${options.repository} (models: ${names.join(', ') || 'none'})`);
    const failures: string[] = [];
    for (const name of wanted) {
      try {
        await repository.reconcile(name, { explicit: true });
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) {
      await repository.close();
      throw new Error(failures.join('\n'));
    }
    if (options.mode === 'poll') {
      const secs = options.pollSecs ?? 15;
      repository.poller = setInterval(() => void repository.rescan(), secs * 1000);
      repository.poller.unref();
      options.context.logger.info(`polling the model repository every ${secs} s for new, changed and removed models and versions`);
    }
    return repository;
  }

  index(options: { readonly readyOnly?: boolean } = {}): RepositoryEntry[] {
    const entries: RepositoryEntry[] = [];
    const names = new Set([...this.records.keys(), ...this.safeModelNames()]);
    for (const name of [...names].sort()) {
      const record = this.records.get(name);
      if (record === undefined) {
        entries.push({ name, version: '', state: 'UNAVAILABLE', reason: 'not loaded' });
        continue;
      }
      const versions = new Map<string, RepositoryEntry>();
      for (const [version, failure] of record.failed) versions.set(version, { name, version, state: 'UNAVAILABLE', reason: failure.reason });
      for (const serving of record.serving) versions.set(serving.version, { name, version: serving.version, state: record.transition === 'UNLOADING' ? 'UNLOADING' : 'READY', reason: '' });
      if (versions.size === 0) {
        const state: ModelState = record.transition ?? 'UNAVAILABLE';
        entries.push({ name, version: '', state, reason: record.reason });
      } else {
        entries.push(...[...versions.values()].sort((a, b) => Number(b.version) - Number(a.version)));
      }
    }
    return options.readyOnly === true ? entries.filter((entry) => entry.state === 'READY') : entries;
  }

  async load(name: string): Promise<void> {
    if (this.options.mode === 'none') throw new ServingError(Code.FAILED_PRECONDITION, `cannot load model "${name}": explicit model control is off (--model_control_mode none); restart with --model_control_mode explicit`);
    if (!this.modelNames().includes(name)) throw notFound(`cannot load model "${name}": no such model directory in ${this.options.repository ?? this.options.context.config.modelDir} (models: ${this.modelNames().join(', ') || 'none'})`);
    const record = this.records.get(name);
    if (record !== undefined) record.unloaded = false;
    try {
      await this.reconcile(name, { explicit: true });
    } catch (error) {
      throw error instanceof ServingError ? error : new ServingError(Code.UNAVAILABLE, error instanceof Error ? error.message : String(error));
    }
  }

  async unload(name: string): Promise<void> {
    if (this.options.mode !== 'explicit') {
      throw new ServingError(Code.FAILED_PRECONDITION, `cannot unload model "${name}" with --model_control_mode ${this.options.mode}: ${this.options.mode === 'poll' ? 'the poller would load it back; remove its directory instead, or run' : 'restart'} with --model_control_mode explicit`);
    }
    const record = this.records.get(name);
    if (record === undefined || record.serving.length === 0) throw notFound(`cannot unload model "${name}": it is not loaded`);
    await this.serialized(record, () => this.unloadNow(record, 'unloaded by request'));
  }

  /** Re-reads the repository (poll timer, SIGHUP); one rescan at a time; never rejects. */
  rescan(): Promise<void> {
    if (this.rescanning !== undefined) return this.rescanning;
    const run = this.rescanOnce().finally(() => {
      this.rescanning = undefined;
    });
    this.rescanning = run;
    return run;
  }

  /** Stops serving every model: new requests get NOT_FOUND; resolves once every engine closed. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const record of this.records.values()) {
      const versions = record.serving;
      record.serving = [];
      this.options.predictor.setVersions(record.source.name, []);
      for (const version of versions) this.retire(version);
    }
    // A load in progress finishes (and retires what it built, seeing `closed`) before the engines are counted.
    await Promise.all([...this.records.values()].map((record) => record.chain));
    await Promise.all([...this.draining]);
  }

  /** Kills every worker now (a shutdown past its grace period). */
  async terminate(): Promise<void> {
    await Promise.all([...this.live].map((built) => built.terminate()));
  }

  private async rescanOnce(): Promise<void> {
    const { logger } = this.options.context;
    let names: string[];
    try {
      names = this.modelNames();
    } catch (error) {
      logger.error(`cannot read the model repository: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const name of names) {
      if (this.closed) return;
      const record = this.records.get(name);
      if (this.options.mode === 'explicit' && (record === undefined || record.unloaded)) continue;
      if (record !== undefined) record.unloaded = false;
      await this.reconcile(name, { explicit: false }).catch(() => undefined);
    }
    for (const record of this.records.values()) {
      if (names.includes(record.source.name) || record.serving.length === 0) continue;
      logger.info(`model "${record.source.name}" is no longer in the repository: unloading it`);
      await this.serialized(record, () => this.unloadNow(record, 'its directory was removed from the repository'));
      record.unloaded = true;
    }
  }

  /** Brings one model in line with its directory; rejects with the reasons when a wanted version could not load. */
  private async reconcile(name: string, options: { explicit: boolean }): Promise<void> {
    let record = this.records.get(name);
    if (record === undefined) {
      record = { source: this.sourceOf(name), serving: [], failed: new Map(), reason: '', transition: undefined, unloaded: false, chain: Promise.resolve() };
      this.records.set(name, record);
    }
    const target = record;
    await this.serialized(target, () => this.reconcileNow(target, options));
  }

  private async reconcileNow(record: ModelRecord, options: { explicit: boolean }): Promise<void> {
    const { logger } = this.options.context;
    const name = record.source.name;
    let config: RepositoryModelConfig;
    let configKey: string;
    let onDisk: VersionOnDisk[];
    try {
      if (!fs.existsSync(record.source.dir) || !fs.statSync(record.source.dir).isDirectory()) throw new Error(`model directory ${record.source.dir} does not exist`);
      configKey = configFingerprint(record.source.dir);
      config = readModelConfig(record.source.dir, name);
      onDisk = listVersions(record.source, config.modelFileName);
      if (onDisk.length === 0) {
        if (record.source.single) findModelFile(record.source.dir);
        throw new Error(`no version of model "${name}" in ${record.source.dir}: expected numeric version folders with ${config.modelFileName}`);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Logged and counted once per distinct problem, not on every poll.
      if (record.reason !== reason || options.explicit) {
        logger.error(`model "${name}" cannot be loaded${record.serving.length > 0 ? ' (its serving versions are kept)' : ''}: ${reason}`);
        this.options.metrics.loaded(name, '', false);
      }
      record.reason = reason;
      throw new Error(reason, { cause: error });
    }
    // A failed version that left the disk is no longer worth reporting.
    for (const version of record.failed.keys()) if (!onDisk.some((v) => v.version === version)) record.failed.delete(version);
    const selected = selectVersions(config.versionPolicy, onDisk.map((v) => v.version));
    const missing = missingSpecific(config.versionPolicy, onDisk.map((v) => v.version));
    if (missing.length > 0 && options.explicit) logger.warn(`model "${name}": version_policy ${describePolicy(config.versionPolicy)} names versions not on disk: ${missing.join(', ')}`);
    const keep: ServingVersion[] = [];
    const toBuild: VersionOnDisk[] = [];
    for (const version of selected) {
      const disk = onDisk.find((v) => v.version === version)!;
      const serving = record.serving.find((v) => v.version === version);
      if (serving !== undefined && serving.fingerprint === disk.fingerprint && serving.configKey === configKey) {
        keep.push(serving);
        continue;
      }
      const failed = record.failed.get(version);
      if (!options.explicit && failed !== undefined && failed.fingerprint === disk.fingerprint && failed.configKey === configKey) continue;
      toBuild.push(disk);
    }
    const unchanged = toBuild.length === 0 && keep.length === record.serving.length && selected.every((v) => keep.some((k) => k.version === v) || record.failed.has(v));
    if (unchanged && record.serving.length > 0) return;
    if (toBuild.length === 0 && keep.length === 0 && !options.explicit) return;
    record.transition = 'LOADING';
    const built: ServingVersion[] = [];
    const failures: string[] = [];
    try {
      // The --thread budget is shared by every model of the repository (loaded or not yet), so defaults never oversubscribe.
      const models = Math.max(this.records.size, this.safeModelNames().length);
      for (const disk of toBuild) {
        try {
          built.push(await this.buildOne(record, config, configKey, disk, models));
          record.failed.delete(disk.version);
          this.options.metrics.loaded(name, disk.version, true);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          failures.push(`version ${disk.version}: ${reason}`);
          record.failed.set(disk.version, { fingerprint: disk.fingerprint, configKey, reason });
          this.options.metrics.loaded(name, disk.version, false);
          logger.error(`model "${name}" version ${disk.version} failed to load${record.serving.length > 0 ? `; still serving version(s) ${record.serving.map((v) => v.version).join(', ')}` : ''}: ${reason}`);
        }
      }
    } finally {
      record.transition = undefined;
    }
    if (this.closed) {
      for (const version of built) this.retire(version);
      return;
    }
    // A failed version retires nothing this round: what served keeps serving.
    const next = failures.length === 0 ? [...keep, ...built] : [...record.serving.filter((v) => !built.some((b) => b.version === v.version)), ...built];
    if (next.length > 0) this.swap(record, next);
    record.reason = failures.length === 0 ? '' : failures.join('; ');
    if (failures.length > 0 && (options.explicit || next.length === 0)) throw new Error(`model "${name}" ${failures.length === toBuild.length && next.length === 0 ? 'cannot be served' : 'could not load every version'}: ${failures.join('; ')}`);
  }

  private async buildOne(record: ModelRecord, config: RepositoryModelConfig, configKey: string, disk: VersionOnDisk, models: number): Promise<ServingVersion> {
    const { context } = this.options;
    const name = record.source.name;
    const loaded = loadModelVersion(record.source.dir, disk.modelPath, disk.version, {
      ...(config.declared === undefined ? {} : { declared: config.declared }),
      ...(config.source === undefined ? {} : { declaredSource: config.source }),
    });
    context.logger.info(`loading model "${name}" version ${disk.version} from ${loaded.modelPath}`, {
      inputs: loaded.signature.inputs.length,
      outputs: loaded.signature.outputs.map((o) => o.alias),
      config: [loaded.configPath, config.source].filter((file, i, all) => file !== undefined && all.indexOf(file) === i),
    });
    const workers = config.instanceCount ?? workerShare(context.config, models);
    const maxRequestRows = Math.min(context.config.maxRequestRows, config.maxBatchSize ?? Number.MAX_SAFE_INTEGER);
    let self: ServingVersion | undefined;
    const built = await buildVersion(context, name, loaded, {
      workers,
      maxRequestRows,
      batching: config.batching,
      onReadyWorkersChanged: (ready, wanted) => {
        if (self === undefined || !record.serving.includes(self)) return;
        context.ops.setWorkers(name, ready, wanted);
        if (ready < wanted) context.logger.warn(`model "${name}" version ${disk.version}: ${ready} of ${wanted} workers can serve`);
        else context.logger.info(`model "${name}" version ${disk.version}: ${ready} of ${wanted} workers can serve`);
      },
    });
    self = { version: disk.version, fingerprint: disk.fingerprint, configKey, built };
    this.live.add(built);
    return self;
  }

  /** The one step that changes what serves: the Predictor sees the new set at once; replaced versions drain and close. */
  private swap(record: ModelRecord, next: ServingVersion[]): void {
    const { logger } = this.options.context;
    const previous = record.serving;
    record.serving = next;
    this.options.predictor.setVersions(record.source.name, next.map((v) => v.built.served));
    this.options.metrics.setReady(record.source.name, next.length);
    this.options.context.ops.health.setModelReady(record.source.name, next.length > 0);
    const retired = previous.filter((v) => !next.includes(v));
    const added = next.filter((v) => !previous.includes(v));
    if (added.length > 0 || retired.length > 0) {
      logger.info(`model "${record.source.name}" now serves version(s) ${next.map((v) => v.version).join(', ')}${retired.length > 0 ? `; retiring ${retired.map((v) => v.version).join(', ')} once in-flight requests finish` : ''}`);
    }
    for (const version of retired) this.retire(version);
    const warning = threadBudgetWarning(this.totalWorkers(), this.options.context.session.intraOpThreads, this.options.context.config.processes);
    if (warning !== undefined) logger.warn(warning);
  }

  private async unloadNow(record: ModelRecord, why: string): Promise<void> {
    const versions = record.serving;
    record.transition = 'UNLOADING';
    this.options.predictor.setVersions(record.source.name, []);
    try {
      await Promise.all(versions.map((version) => this.retire(version)));
    } finally {
      record.serving = [];
      record.transition = undefined;
      record.reason = why;
      record.unloaded = true;
      this.options.metrics.setReady(record.source.name, 0);
      this.options.context.ops.health.setModelReady(record.source.name, false);
    }
    this.options.context.logger.info(`model "${record.source.name}" unloaded (${why}): version(s) ${versions.map((v) => v.version).join(', ')} finished their in-flight requests and closed`);
  }

  /** Closes a version that no longer takes new requests, after the requests it accepted finish. */
  private retire(version: ServingVersion): Promise<void> {
    const closing = version.built.close().catch((error: unknown) => {
      this.options.context.logger.error(`closing a retired model version failed: ${error instanceof Error ? error.message : String(error)}`);
    }).finally(() => {
      this.draining.delete(closing);
      this.live.delete(version.built);
    });
    this.draining.add(closing);
    return closing;
  }

  private serialized(record: ModelRecord, operation: () => Promise<void>): Promise<void> {
    const run = record.chain.then(operation, operation);
    record.chain = run.catch(() => undefined);
    return run;
  }

  private sourceOf(name: string): ModelSource {
    const { repository, context } = this.options;
    if (repository === undefined) return { name, dir: path.resolve(context.config.modelDir), single: true };
    return { name, dir: path.resolve(repository, name), single: false };
  }

  private modelNames(): string[] {
    const { repository, context } = this.options;
    if (repository === undefined) return [context.config.modelName];
    return listModels(repository);
  }

  private safeModelNames(): string[] {
    try {
      return this.modelNames();
    } catch {
      return [];
    }
  }

  private totalWorkers(): number {
    let total = 0;
    for (const record of this.records.values()) for (const version of record.serving) total += version.built.workers;
    return total;
  }
}
