/**
 * The Open Inference Protocol's non-inference answers, protocol-neutral: server and model
 * metadata, readiness, Triton's ModelConfig (our real batching configuration) and
 * ModelStatistics (from the counters the Prometheus metrics keep), and the repository
 * extension through `ModelControl`. Objects use the published field names (snake_case, enum
 * names as strings), so the gRPC adapter encodes them with protobufjs and the HTTP adapter
 * writes them as JSON, both unchanged.
 *
 * Contract:
 * - Unknown model or version: NOT_FOUND from `Predictor.model` (names what is served).
 * - Without a ModelControl, the index lists the served models as READY and load / unload fail
 *   with FAILED_PRECONDITION saying model control is not enabled. Load / unload parameters
 *   (Triton's config and file overrides, `unload_dependents`) are refused with INVALID_ARGUMENT.
 * - Statistics: success count and time (nv_inference_request_success / _request_duration_us),
 *   failure count (nv_inference_request_failure, all reasons; its time is not kept: 0),
 *   queue / compute_input / compute_infer / compute_output (the nv_inference_*_duration_us
 *   counters, per request of each successful run, counted per successful request),
 *   inference_count and execution_count. `last_inference` and per-batch-size statistics are not
 *   kept: 0 and empty.
 */
import type { Registry } from 'prom-client';
import type { BatchingOptions } from '../batching/batching-options';
import { Code, ServingError, invalidArgument } from '../core/errors';
import type { ModelControl, RepositoryEntry } from '../core/model-control';
import type { Predictor } from '../core/predictor';
import type { ServedModel } from '../core/served-model';
import type { TensorSpec } from '../core/model-signature';
import { packageVersion } from '../config/package-version';
import { CONFIG_TYPE_OF_DTYPE, DATATYPE_OF_DTYPE } from './oip-tensors';

const SERVER_NAME = 'rec-serving';
/** The package's version (package.json), as ServerMetadata reports it. */
const SERVER_VERSION = packageVersion().version;
/** The OIP / Triton extensions served. */
const SERVER_EXTENSIONS = ['binary_tensor_data', 'model_configuration', 'statistics', 'model_repository'];
const PLATFORM = 'onnxruntime_onnx';

export interface OipModelInfoOptions {
  readonly predictor: Predictor;
  readonly health: { readonly isLive: boolean; readonly isReady: boolean };
  /** The batching options that serve a model (maxRunsInFlight = its workers). */
  readonly batchingOf: (model: ServedModel) => BatchingOptions;
  /** The metrics registry (ServingMetrics.registry), read for ModelStatistics. */
  readonly registry: Registry;
  readonly modelControl?: ModelControl;
}

export interface TensorMetadata { name: string; datatype: string; shape: number[] }

export class OipModelInfo {
  constructor(private readonly options: OipModelInfoOptions) {}

  get live(): boolean { return this.options.health.isLive; }
  get ready(): boolean { return this.options.health.isReady; }

  serverMetadata() {
    return { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...SERVER_EXTENSIONS] };
  }

  /** NOT_FOUND for an unknown model or version. */
  model(name: string, version = ''): ServedModel {
    return this.options.predictor.model(name, version);
  }

  modelReady(name: string, version = ''): boolean {
    this.model(name, version);
    return this.options.health.isReady;
  }

  modelMetadata(name: string, version = '') {
    const model = this.model(name, version);
    const tensor = (spec: TensorSpec): TensorMetadata => ({ name: spec.alias, datatype: DATATYPE_OF_DTYPE[spec.dtype], shape: [-1, ...spec.shape] });
    return { name: model.name, versions: [model.version], platform: PLATFORM, inputs: model.signature.inputs.map(tensor), outputs: model.signature.outputs.map(tensor) };
  }

  modelConfig(name: string, version = '') {
    const model = this.model(name, version);
    const batching = this.options.batchingOf(model);
    const providers = model.engine.describe().executionProviders;
    const tensor = (spec: TensorSpec) => ({ name: spec.alias, data_type: CONFIG_TYPE_OF_DTYPE[spec.dtype], dims: [...spec.shape] });
    return {
      name: model.name,
      platform: PLATFORM,
      backend: 'onnxruntime',
      // Most rows one request may carry; larger batches are split into runs of max_batch_rows_per_run.
      max_batch_size: model.options.maxRequestRows,
      input: model.signature.inputs.map(tensor),
      output: model.signature.outputs.map(tensor),
      ...(batching.enabled ? {
        dynamic_batching: {
          preferred_batch_size: [...batching.preferredBatchSizes],
          max_queue_delay_microseconds: batching.maxQueueDelayMicros,
          preserve_ordering: false,
          default_queue_policy: {
            timeout_action: 'REJECT',
            default_timeout_microseconds: batching.maxQueueTimeMicros,
            allow_timeout_override: false,
            max_queue_size: batching.maxQueueSize,
          },
        },
      } : {}),
      instance_group: [{ name: `${model.name}_0`, kind: providers.some((p) => p !== 'cpu') ? 'KIND_GPU' : 'KIND_CPU', count: batching.maxRunsInFlight }],
      default_model_filename: 'model.onnx',
      parameters: {
        max_batch_rows_per_run: { string_value: String(batching.maxBatchSize) },
        dynamic_batching_enabled: { string_value: String(batching.enabled) },
        max_queue_size: { string_value: String(batching.maxQueueSize) },
        execution_providers: { string_value: providers.join(',') },
      },
    };
  }

  /** Every model (empty name) or one model; `version` must then match the served one. */
  async modelStatistics(name = '', version = '') {
    const models = name === '' ? this.options.predictor.listModels() : [this.model(name, version)];
    const counters = await readCounters(this.options.registry);
    return {
      model_stats: models.map((model) => {
        const value = (metric: string) => counters.sum(metric, model.name, model.version);
        const success = value('nv_inference_request_success');
        const duration = (metric: string) => ({ count: success, ns: Math.round(value(metric) * 1000) });
        return {
          name: model.name,
          version: model.version,
          last_inference: 0,
          inference_count: value('nv_inference_count'),
          execution_count: value('nv_inference_exec_count'),
          inference_stats: {
            success: duration('nv_inference_request_duration_us'),
            fail: { count: value('nv_inference_request_failure'), ns: 0 },
            queue: duration('nv_inference_queue_duration_us'),
            compute_input: duration('nv_inference_compute_input_duration_us'),
            compute_infer: duration('nv_inference_compute_infer_duration_us'),
            compute_output: duration('nv_inference_compute_output_duration_us'),
          },
          batch_stats: [],
        };
      }),
    };
  }

  repositoryIndex(readyOnly: boolean): RepositoryEntry[] {
    const control = this.options.modelControl;
    if (control !== undefined) return control.index({ readyOnly });
    return this.options.predictor.listModels().map((m) => ({ name: m.name, version: m.version, state: 'READY' as const, reason: '' }));
  }

  /** `parameters`: the request's parameter names; load overrides (`config`, `file:...`) are refused. */
  async load(name: string, parameters: readonly string[] = []): Promise<void> {
    refuseParameters('load', name, parameters, 'loading with an overriding config or files is not supported; put them in the repository');
    await this.controlFor('load', name).load(name);
  }

  /** `parameters`: the request's parameter names; `unload_dependents` is refused (no ensembles here). */
  async unload(name: string, parameters: readonly string[] = []): Promise<void> {
    refuseParameters('unload', name, parameters, 'there are no ensembles, so no dependents to unload');
    await this.controlFor('unload', name).unload(name);
  }

  private controlFor(action: 'load' | 'unload', name: string): ModelControl {
    if (name === '') throw invalidArgument(`${action}: the model name is empty; expected the name of a model in the repository`);
    const control = this.options.modelControl;
    if (control === undefined) {
      throw new ServingError(Code.FAILED_PRECONDITION, `cannot ${action} model "${name}": model control is not enabled (explicit load/unload needs the server started with --model_control_mode explicit)`);
    }
    return control;
  }
}

function refuseParameters(action: string, name: string, parameters: readonly string[], why: string): void {
  if (parameters.length > 0) throw invalidArgument(`${action} "${name}": parameters {${parameters.join(', ')}} are not supported: ${why}`);
}

const COUNTERS = [
  'nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_count', 'nv_inference_exec_count',
  'nv_inference_request_duration_us', 'nv_inference_queue_duration_us', 'nv_inference_compute_input_duration_us',
  'nv_inference_compute_infer_duration_us', 'nv_inference_compute_output_duration_us',
];

async function readCounters(registry: Registry): Promise<{ sum(metric: string, model: string, version: string): number }> {
  const values = new Map<string, Array<{ labels: Record<string, string | number>; value: number }>>();
  await Promise.all(COUNTERS.map(async (name) => {
    const metric = registry.getSingleMetric(name);
    if (metric !== undefined) values.set(name, (await metric.get()).values as Array<{ labels: Record<string, string | number>; value: number }>);
  }));
  return {
    sum(metric, model, version) {
      let total = 0;
      for (const v of values.get(metric) ?? []) if (v.labels.model === model && v.labels.version === version) total += v.value;
      return total;
    },
  };
}
