/**
 * The transport-free core every protocol adapter calls: find the model, validate the request,
 * run it, and return outputs by alias with the server-side timings.
 *
 * Contract: `predict` resolves with the requested outputs (in the requested order) or rejects
 * with a ServingError (NOT_FOUND for an unknown model, INVALID_ARGUMENT for a bad request,
 * UNAVAILABLE while stopping or over `maxConcurrency` predictions in flight (concurrency-limit.ts),
 * and whatever the engine reports). It never imports a transport
 * or an inference runtime.
 */
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
}

export interface PredictContext {
  readonly signal?: AbortSignal;
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
  private readonly models = new Map<string, ServedModel>();
  private stopping = false;

  private constructor(
    private readonly defaultModelName: string,
    private readonly limit: ConcurrencyLimit,
    /** Load shedding: an error refuses the prediction at once (e.g. the event loop is far behind). */
    private readonly refusal?: () => ServingError | undefined,
  ) {}

  /**
   * The first model is the default one (served for an empty model name). `maxConcurrency`: most
   * predictions in flight at once, all protocols together; 0 (default) = no cap.
   */
  static create(models: readonly ServedModel[], options: { maxConcurrency?: number; refusal?: () => ServingError | undefined } = {}): Predictor {
    if (models.length === 0) throw new Error('a Predictor needs at least one model');
    const predictor = new Predictor(models[0].name, ConcurrencyLimit.create(options.maxConcurrency ?? 0), options.refusal);
    for (const model of models) {
      if (predictor.models.has(model.name)) throw new Error(`model "${model.name}" is given twice`);
      predictor.models.set(model.name, model);
    }
    return predictor;
  }

  /**
   * The model serving `name` (empty: the default model) at `version` (empty: the newest ready
   * version), or a NOT_FOUND ServingError naming what is available.
   */
  model(name?: string, version?: string): ServedModel {
    const key = name === undefined || name === '' ? this.defaultModelName : name;
    const model = this.models.get(key);
    if (model === undefined) {
      throw notFound(`model "${key}" not found; available: [${[...this.models.keys()].map((n) => `"${n}"`).join(', ')}]`);
    }
    if (version !== undefined && version !== '' && version !== model.version) {
      throw notFound(`model "${model.name}" version "${version}" not found; available: ["${model.version}"]`);
    }
    return model;
  }

  listModels(): ServedModel[] {
    return [...this.models.values()];
  }

  async predict(input: PredictInput, context: PredictContext = {}): Promise<PredictOutput> {
    if (this.stopping) throw unavailable('server is stopping; not accepting new requests');
    const refused = this.refusal?.();
    if (refused !== undefined) throw refused;
    const release = this.limit.acquire();
    try {
      return await this.predictWithinLimit(input, context);
    } finally {
      release();
    }
  }

  /** Predictions in flight now (holding a concurrency slot). */
  get inFlight(): number {
    return this.limit.inFlight;
  }

  private async predictWithinLimit(input: PredictInput, context: PredictContext): Promise<PredictOutput> {
    const model = this.model(input.modelName, input.modelVersion);
    const request = validateRequest(model.index, input.inputs, input.outputNames, model.options.maxRequestRows);
    const result = await model.engine.run(request.feeds, request.outputs.map((spec) => spec.name), context);
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
    await Promise.all(this.listModels().map((model) => model.engine.close()));
  }
}
