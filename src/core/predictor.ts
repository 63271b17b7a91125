/**
 * The transport-free core every protocol adapter calls: find the model, validate the request,
 * run it, and return outputs by alias with the server-side timings.
 *
 * Contract: `predict` resolves with the requested outputs (in the requested order) or rejects
 * with a ServingError (NOT_FOUND for an unknown model, INVALID_ARGUMENT for a bad request,
 * UNAVAILABLE while stopping or over `maxConcurrency` predictions in flight (concurrency-limit.ts),
 * and whatever the engine reports). It never imports a transport
 * or an inference runtime. `admission()` gives the UNAVAILABLE error `predict` would refuse a new
 * request with now (stopping, load shedding, the concurrency cap), or undefined: transports ask
 * it before they read a request's body, so a request refused anyway costs no body.
 *
 * The registry is dynamic (the model repository adds, swaps and removes versions while serving):
 * `setVersions` replaces a model's versions in one synchronous step. A request resolves its model
 * and hands its run to that model's engine before its first await, so a request accepted before a
 * swap finishes on the version it resolved (whose engine drains queued runs on close).
 */
import type { CallLifetime } from './call-lifetime';
import { ConcurrencyLimit } from './concurrency-limit';
import { Code, ServingError, notFound, unavailable } from './errors';
import type { ServedModel } from './served-model';
import type { HostTensor } from './tensor';
import type { TensorSpec } from './model-signature';
import { validateRequest, type NamedTensor } from './validate-request';

export interface PredictInput {
  /** Empty or undefined: the default model. */
  readonly modelName?: string;
  readonly modelVersion?: string;
  readonly inputs: readonly NamedTensor[];
  /** Outputs by alias or real name; empty: all outputs in signature order. */
  readonly outputNames: readonly string[];
  /**
   * The caller gives the inputs' memory up: it never reads their data after this call, so the
   * engine may move it to a worker instead of copying it (EngineRunOptions.feedsMovable).
   */
  readonly inputsMovable?: boolean;
}

export interface PredictContext {
  readonly signal?: AbortSignal;
  /** The caller's deadline and cancellation without an AbortSignal (call-lifetime.ts); preferred over `signal` when set. */
  readonly lifetime?: CallLifetime;
}

export interface PredictedTensor {
  readonly spec: TensorSpec;
  readonly tensor: HostTensor;
}

export interface PredictOutput {
  readonly model: ServedModel;
  readonly outputs: readonly PredictedTensor[];
  readonly rows: number;
  readonly queueMicros: number;
  readonly computeMicros: number;
  /** Rows in the engine run that served the request (more than `rows` when the batcher merged it). */
  readonly executedBatchRows: number;
}

export class Predictor {
  /** Model name -> its serving versions, newest (highest) first; replaced as a whole on every change. */
  private readonly models = new Map<string, readonly ServedModel[]>();
  private stopping = false;

  private constructor(
    private defaultModelName: string,
    private readonly limit: ConcurrencyLimit,
    /** Load shedding: an error refuses the prediction at once (e.g. the event loop is far behind). */
    private readonly refusal?: () => ServingError | undefined,
  ) {}

  /**
   * The first model is the default one (served for an empty model name) unless `defaultModel`
   * names another. `models` may be empty (models are then added with `setVersions`).
   * `maxConcurrency`: most predictions in flight at once, all protocols together; 0 (default) = no cap.
   */
  static create(models: readonly ServedModel[], options: { maxConcurrency?: number; refusal?: () => ServingError | undefined; defaultModel?: string } = {}): Predictor {
    const predictor = new Predictor(options.defaultModel ?? models[0]?.name ?? '', ConcurrencyLimit.create(options.maxConcurrency ?? 0), options.refusal);
    for (const model of models) {
      if (predictor.models.has(model.name)) throw new Error(`model "${model.name}" is given twice`);
      predictor.models.set(model.name, [model]);
    }
    return predictor;
  }

  /**
   * Atomically replaces the versions serving `name` (an empty list removes the model). Requests
   * that already resolved a model keep running on it; every later request sees the new set.
   * The first model ever set becomes the default one when none was named.
   */
  setVersions(name: string, versions: readonly ServedModel[]): void {
    if (versions.length === 0) {
      this.models.delete(name);
      return;
    }
    const wrong = versions.find((model) => model.name !== name);
    if (wrong !== undefined) throw new Error(`model "${wrong.name}" given as a version of "${name}"`);
    const sorted = [...versions].sort((a, b) => compareVersions(b.version, a.version));
    this.models.set(name, Object.freeze(sorted));
    if (this.defaultModelName === '') this.defaultModelName = name;
  }

  /** The model an empty model name addresses ('' when none is set yet). */
  get defaultModel(): string {
    return this.defaultModelName;
  }

  /**
   * The model serving `name` (empty: the default model) at `version` (empty: the newest ready
   * version), or a NOT_FOUND ServingError naming what is available.
   */
  model(name?: string, version?: string): ServedModel {
    const key = name === undefined || name === '' ? this.defaultModelName : name;
    const versions = this.models.get(key);
    if (versions === undefined) {
      const available = `available: [${[...this.models.keys()].map((n) => `"${n}"`).join(', ')}]`;
      if (key === '') throw notFound(`no model is loaded, so an empty model name addresses nothing; ${available}`);
      throw notFound(`model "${key}" not found; ${available}`);
    }
    if (version === undefined || version === '') return versions[0];
    for (const model of versions) if (model.version === version) return model;
    throw notFound(`model "${key}" version "${version}" not found; available: [${versions.map((m) => `"${m.version}"`).join(', ')}]`);
  }

  /** Every serving version of `name`, newest first (empty when the model is not loaded). */
  versionsOf(name: string): readonly ServedModel[] {
    return this.models.get(name) ?? [];
  }

  /** The newest version of every model. */
  listModels(): ServedModel[] {
    return [...this.models.values()].map((versions) => versions[0]);
  }

  /** Every serving version of every model. */
  listVersions(): ServedModel[] {
    return [...this.models.values()].flat();
  }

  admission(): ServingError | undefined {
    return this.stoppingOrShedding() ?? this.limit.refusal();
  }

  async predict(input: PredictInput, context: PredictContext = {}): Promise<PredictOutput> {
    const refused = this.stoppingOrShedding();
    if (refused !== undefined) throw refused;
    const release = this.limit.acquire(); // throws the concurrency refusal itself
    try {
      return await this.predictWithinLimit(input, context);
    } finally {
      release();
    }
  }

  private stoppingOrShedding(): ServingError | undefined {
    return this.stopping ? unavailable('server is stopping; not accepting new requests') : this.refusal?.();
  }

  /** Predictions in flight now (holding a concurrency slot). */
  get inFlight(): number {
    return this.limit.inFlight;
  }

  private async predictWithinLimit(input: PredictInput, context: PredictContext): Promise<PredictOutput> {
    const model = this.model(input.modelName, input.modelVersion);
    const request = validateRequest(model.index, input.inputs, input.outputNames, model.options.maxRequestRows);
    // With a lifetime the signal is never read: a transport may create it lazily (an AbortController
    // and a deadline timer per call), and the engine does not need it.
    const runOptions = input.inputsMovable !== true ? context
      : context.lifetime !== undefined ? { lifetime: context.lifetime, feedsMovable: true }
        : { signal: context.signal, feedsMovable: true };
    const result = await model.engine.run(request.feeds, request.outputs.map((spec) => spec.name), runOptions);
    const outputs = request.outputs.map((spec) => {
      const tensor = result.outputs[spec.name];
      if (tensor === undefined) {
        throw new ServingError(Code.INTERNAL, 'internal error', { cause: new Error(`engine returned no "${spec.name}"`) });
      }
      return { spec, tensor };
    });
    return { model, outputs, rows: request.rows, queueMicros: result.queueMicros, computeMicros: result.computeMicros, executedBatchRows: result.executedBatchRows ?? request.rows };
  }

  /** New predictions fail with UNAVAILABLE from now on; those already accepted complete. */
  beginShutdown(): void {
    this.stopping = true;
  }

  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.listVersions().map((model) => model.engine.close()));
  }
}

/** Numeric versions compare as numbers ("10" > "9"); others as strings. */
export function compareVersions(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
