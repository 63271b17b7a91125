/**
 * Prometheus metrics of the server on an injected prom-client `Registry`, under Triton's names so
 * existing dashboards work, plus the latency and batch-size histograms Triton's users ask for.
 *
 * Contract (labels `model` and `version` on every series; durations cumulative, microseconds):
 * - `nv_inference_request_success` / `nv_inference_request_failure{reason}`: finished calls by
 *   outcome; `reason` is the gRPC code name (UNAVAILABLE = shed or stopping, DEADLINE_EXCEEDED,
 *   CANCELLED, INVALID_ARGUMENT, NOT_FOUND, INTERNAL, ...).
 * - `nv_inference_count`: rows inferred in successful runs; `nv_inference_exec_count`: engine
 *   runs (batches). Average executed batch size = count / exec_count.
 * - `nv_inference_pending_request_count`: requests accepted and not finished (queued or running).
 * - `nv_inference_request_duration_us`: server time of successful calls;
 *   `nv_inference_{queue,compute_input,compute_infer,compute_output}_duration_us`: per request
 *   of each successful run (a merged run adds its compute time to each request in it, as Triton).
 * - Histograms (seconds): `ctr_request_duration_seconds` (successful calls),
 *   `ctr_queue_duration_seconds`, `ctr_compute_duration_seconds` (per request of a run); and
 *   `ctr_batch_size` (rows per engine run).
 * - `ctr_engine_runs_total{thread}`: successful engine runs by where they ran: `main` (a lone
 *   small request while the server was quiet, no worker hand-off) or `worker`.
 * - `ctr_engine_run_duration_us_total`: time inside the engine, counted once per run (the
 *   workers' busy time; the per-request Triton counter multiplies a merged run's time).
 * - `ctr_requests_total{protocol,code}`: finished calls by front end (`grpc` = rec_serving
 *   Predict, `paddle_grpc`, `paddle_http`, `baidu_std`, `kserve_grpc`, `kserve_http`) and gRPC code name (OK included); the
 *   Triton counters above keep Triton's label set and count every protocol together.
 * - `ctr_requests_dropped_total{reason}`: requests dropped before reaching a worker because
 *   their deadline passed (DEADLINE_EXCEEDED), their caller cancelled (CANCELLED) or they waited
 *   longer than --max_queue_time_micros (UNAVAILABLE).
 * - `ctr_model_info{model,version,execution_provider}` = 1 for each provider a model's workers run
 *   on (after probing and any fallback), so dashboards can split by provider.
 * - Process metrics from prom-client's `collectDefaultMetrics` when `processMetrics` is set.
 * A call with an empty model name counts for the default (first registered) model; calls for a
 * model that was never registered are labelled model="" version="" (unknown names must not
 * create series).
 */
import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import { AccumulatedCounter, AccumulatedHistogram } from './accumulated-metrics';
import { Code } from '../core/errors';
import type { BatchExecution } from '../batching/batching-engine';

export interface CallOutcome {
  readonly model: string;
  /** Front end the call came in on (`ctr_requests_total`'s label); default `grpc`. */
  readonly protocol?: string;
  readonly code: Code;
  readonly rows: number;
  readonly durationMicros: number;
  /** The version that answered; absent (or never registered): the model's newest registered version. */
  readonly version?: string;
}

interface CallSeries {
  readonly byProtocol: { inc(value?: number): void };
  readonly success: { inc(value?: number): void };
  readonly durationUs: { inc(value?: number): void };
  readonly seconds: { observe(value: number): void };
  /** Undefined for OK. */
  readonly failure: { inc(value?: number): void } | undefined;
}

export interface ModelMetrics {
  batchExecuted(event: BatchExecution): void;
  requestDropped(code: Code): void;
}

const LABELS = ['model', 'version'] as const;
/** 25 µs .. ~13 s, doubling. */
const LATENCY_BUCKETS_SECONDS = Array.from({ length: 20 }, (_, i) => 25e-6 * 2 ** i);
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export class ServingMetrics {
  private readonly versions = new Map<string, string>();
  /** Every registered "model\nversion" (a model may serve several versions at once). */
  private readonly registered = new Set<string>();
  /** The model an empty model name addresses (the first registered). */
  private defaultModel = '';
  private readonly pendingSources = new Map<string, () => number>();
  // The request path updates these: accumulated in place, formatted only when read (accumulated-metrics.ts).
  private readonly success: AccumulatedCounter<'model' | 'version'>;
  private readonly failure: AccumulatedCounter<'model' | 'version' | 'reason'>;
  private readonly inferenceCount: AccumulatedCounter<'model' | 'version'>;
  private readonly execCount: AccumulatedCounter<'model' | 'version'>;
  private readonly requestDurationUs: AccumulatedCounter<'model' | 'version'>;
  private readonly queueDurationUs: AccumulatedCounter<'model' | 'version'>;
  private readonly computeInputUs: AccumulatedCounter<'model' | 'version'>;
  private readonly computeInferUs: AccumulatedCounter<'model' | 'version'>;
  private readonly computeOutputUs: AccumulatedCounter<'model' | 'version'>;
  private readonly requestSeconds: AccumulatedHistogram<'model' | 'version'>;
  private readonly queueSeconds: AccumulatedHistogram<'model' | 'version'>;
  private readonly computeSeconds: AccumulatedHistogram<'model' | 'version'>;
  private readonly batchSize: AccumulatedHistogram<'model' | 'version'>;
  private readonly dropped: AccumulatedCounter<'model' | 'version' | 'reason'>;
  private readonly modelInfo: Gauge<'model' | 'version' | 'execution_provider'>;
  private readonly requestsByProtocol: AccumulatedCounter<'model' | 'version' | 'protocol' | 'code'>;
  private readonly engineRunUs: AccumulatedCounter<'model' | 'version'>;
  private readonly engineRuns: AccumulatedCounter<'model' | 'version' | 'thread'>;
  private readonly callSeries = new Map<string, CallSeries>();
  /** The last call's labels as given and its series: consecutive calls usually share them. Cleared when a model registers. */
  private lastCall: { readonly model: string; readonly version?: string; readonly protocol?: string; readonly code: Code; readonly series: CallSeries } | undefined;

  private constructor(readonly registry: Registry) {
    const registers = [registry];
    const counter = (name: string, help: string) => new AccumulatedCounter({ name, help, labelNames: LABELS, registers });
    this.success = counter('nv_inference_request_success', 'Successful inference requests');
    this.failure = new AccumulatedCounter({ name: 'nv_inference_request_failure', help: 'Failed inference requests, by gRPC code name', labelNames: [...LABELS, 'reason'], registers });
    this.inferenceCount = counter('nv_inference_count', 'Rows inferred in successful runs');
    this.execCount = counter('nv_inference_exec_count', 'Engine runs (batches) executed');
    this.requestDurationUs = counter('nv_inference_request_duration_us', 'Cumulative server time of successful requests, microseconds');
    this.queueDurationUs = counter('nv_inference_queue_duration_us', 'Cumulative time requests waited before their run started, microseconds');
    this.computeInputUs = counter('nv_inference_compute_input_duration_us', 'Cumulative time merging request inputs into runs, microseconds');
    this.computeInferUs = counter('nv_inference_compute_infer_duration_us', 'Cumulative run time, counted once per request in the run, microseconds');
    this.computeOutputUs = counter('nv_inference_compute_output_duration_us', 'Cumulative time splitting run outputs back to requests, microseconds');
    const pendingSources = this.pendingSources;
    const versions = this.versions;
    new Gauge({
      name: 'nv_inference_pending_request_count', help: 'Requests accepted and not finished (queued or running)', labelNames: LABELS, registers,
      collect() {
        for (const [model, source] of pendingSources) this.set({ model, version: versions.get(model) ?? '' }, source());
      },
    });
    const histogram = (name: string, help: string, buckets: number[]) => new AccumulatedHistogram({ name, help, labelNames: LABELS, buckets, registers });
    this.requestSeconds = histogram('ctr_request_duration_seconds', 'Server time of successful requests', LATENCY_BUCKETS_SECONDS);
    this.queueSeconds = histogram('ctr_queue_duration_seconds', 'Time a request waited before its run started', LATENCY_BUCKETS_SECONDS);
    this.computeSeconds = histogram('ctr_compute_duration_seconds', 'Run time of the run each request was in', LATENCY_BUCKETS_SECONDS);
    this.batchSize = histogram('ctr_batch_size', 'Rows per engine run', BATCH_SIZE_BUCKETS);
    this.engineRuns = new AccumulatedCounter({ name: 'ctr_engine_runs_total', help: 'Successful engine runs by thread: main (a lone small request while the server was quiet) or worker', labelNames: [...LABELS, 'thread'], registers });
    this.engineRunUs = counter('ctr_engine_run_duration_us_total', 'Cumulative time inside the engine, once per run, microseconds');
    this.modelInfo = new Gauge({ name: 'ctr_model_info', help: 'Execution provider(s) each model runs on after probing and fallback (value 1)', labelNames: [...LABELS, 'execution_provider'], registers });
    this.dropped = new AccumulatedCounter({ name: 'ctr_requests_dropped_total', help: 'Requests dropped before reaching a worker (deadline passed, caller cancelled, or queued over --max_queue_time_micros), by code name', labelNames: [...LABELS, 'reason'], registers });
    this.requestsByProtocol = new AccumulatedCounter({ name: 'ctr_requests_total', help: 'Finished requests by front end (grpc, paddle_grpc, paddle_http, baidu_std, kserve_grpc, kserve_http) and gRPC code name', labelNames: [...LABELS, 'protocol', 'code'], registers });
  }

  static create(registry: Registry, options: { processMetrics?: boolean } = {}): ServingMetrics {
    if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
    return new ServingMetrics(registry);
  }

  /** `ctr_requests_shed_total`: requests refused at once because the server was overloaded; read at scrape time. */
  countShed(shed: () => number): void {
    new Counter({
      name: 'ctr_requests_shed_total', help: 'Requests refused at once with UNAVAILABLE because the event loop was over --shed_loop_lag_ms behind', registers: [this.registry],
      collect() {
        this.reset();
        this.inc(shed());
      },
    });
  }

  /** Declares a served model; `pending` reads its pending-request count at scrape time. */
  registerModel(model: string, version: string, pending?: () => number, executionProviders: readonly string[] = []): ModelMetrics {
    if (this.versions.size === 0) this.defaultModel = model;
    for (const provider of executionProviders) this.modelInfo.set({ model, version, execution_provider: provider }, 1);
    this.versions.set(model, version);
    this.registered.add(`${model}\n${version}`);
    this.lastCall = undefined;
    if (pending !== undefined) this.pendingSources.set(model, pending);
    const labels = { model, version };
    for (const metric of [this.success, this.inferenceCount, this.execCount, this.requestDurationUs, this.queueDurationUs, this.computeInputUs, this.computeInferUs, this.computeOutputUs, this.engineRunUs]) metric.inc(labels, 0);
    return {
      batchExecuted: this.batchSeries(labels),
      requestDropped: (code) => this.dropped.inc({ ...labels, reason: Code[code] }),
    };
  }

  /** One finished call, from a protocol adapter (`observe` of the gRPC Predict service). */
  observeCall(outcome: CallOutcome): void {
    const last = this.lastCall;
    const call = last !== undefined && last.model === outcome.model && last.version === outcome.version
      && last.protocol === outcome.protocol && last.code === outcome.code
      ? last.series
      : this.callSeriesFor(outcome);
    call.byProtocol.inc();
    if (call.failure === undefined) {
      call.success.inc();
      call.durationUs.inc(outcome.durationMicros);
      call.seconds.observe(outcome.durationMicros / 1e6);
    } else {
      call.failure.inc();
    }
  }

  private callSeriesFor(outcome: CallOutcome): CallSeries {
    const model = outcome.model === '' ? this.defaultModel : outcome.model;
    const version = outcome.version !== undefined && this.registered.has(`${model}\n${outcome.version}`) ? outcome.version : this.versions.get(model);
    const labels = version === undefined ? { model: '', version: '' } : { model, version };
    const code = Code[outcome.code] ?? String(outcome.code);
    const protocol = outcome.protocol ?? 'grpc';
    // Labelled children are looked up once per label set, not on every call.
    const key = `${labels.model}\n${labels.version}\n${protocol}\n${code}`;
    let call = this.callSeries.get(key);
    if (call === undefined) {
      call = {
        byProtocol: this.requestsByProtocol.labels({ ...labels, protocol, code }),
        success: this.success.labels(labels),
        durationUs: this.requestDurationUs.labels(labels),
        seconds: this.requestSeconds.labels(labels),
        failure: outcome.code === Code.OK ? undefined : this.failure.labels({ ...labels, reason: code }),
      };
      this.callSeries.set(key, call);
    }
    this.lastCall = { model: outcome.model, version: outcome.version, protocol: outcome.protocol, code: outcome.code, series: call };
    return call;
  }

  /** The batch metrics of one model, labelled once. */
  private batchSeries(labels: { model: string; version: string }): (event: BatchExecution) => void {
    const execCount = this.execCount.labels(labels);
    const mainRuns = this.engineRuns.labels({ ...labels, thread: 'main' });
    const workerRuns = this.engineRuns.labels({ ...labels, thread: 'worker' });
    mainRuns.inc(0);
    workerRuns.inc(0);
    const engineRunUs = this.engineRunUs.labels(labels);
    const inferenceCount = this.inferenceCount.labels(labels);
    const batchSize = this.batchSize.labels(labels);
    const queueSeconds = this.queueSeconds.labels(labels);
    const computeSeconds = this.computeSeconds.labels(labels);
    const queueDurationUs = this.queueDurationUs.labels(labels);
    const computeInputUs = this.computeInputUs.labels(labels);
    const computeInferUs = this.computeInferUs.labels(labels);
    const computeOutputUs = this.computeOutputUs.labels(labels);
    return (event) => {
      if (!event.ok) return;
      execCount.inc();
      (event.onMainThread === true ? mainRuns : workerRuns).inc();
      engineRunUs.inc(event.computeInferMicros);
      inferenceCount.inc(event.rows);
      batchSize.observe(event.rows);
      const n = event.requests;
      let queueTotal = 0;
      for (const q of event.queueMicros) {
        queueTotal += q;
        queueSeconds.observe(q / 1e6);
        computeSeconds.observe(event.computeInferMicros / 1e6);
      }
      queueDurationUs.inc(queueTotal);
      computeInputUs.inc(event.computeInputMicros * n);
      computeInferUs.inc(event.computeInferMicros * n);
      computeOutputUs.inc(event.computeOutputMicros * n);
    };
  }
}
