/**
 * Serve flags of the serving core: the dynamic batcher, the operations HTTP port
 * (Prometheus metrics and health), and the test-only fault injection. Kept out of
 * serve-config.ts so that file only wires them in.
 *
 * Contract: `batchingConfigFromFlags(flags, problems)` never throws: it pushes one message per
 * bad value (naming the flag, the constraint and the value) into `problems` and returns the
 * defaults for those. Paddle's `--runtime_thread_num` (> 0 turns request merging on, 0 off) and
 * `--batch_infer_size` (the max merged batch) map onto `--batching` and `--max_batch_size`;
 * the explicit flags win when both are given.
 */
import { DEFAULT_BATCHING_OPTIONS, type BatchingOptions } from '../batching/batching-options';
import type { FlagSpecs, ParsedFlags } from './parse-flags';

/**
 * The batcher's options as configured (units, defaults and meanings are documented once, on
 * `BatchingOptions`), less `maxRunsInFlight`, which comes from the worker count, plus per-model
 * overrides of those fields (JSON flag --batching_overrides).
 */
export type BatchingSettings = Omit<BatchingOptions, 'maxRunsInFlight'>;

export interface BatchingConfig extends BatchingSettings {
  readonly overrides: Readonly<Record<string, Partial<BatchingSettings>>>;
}

export interface OpsConfig {
  /** Serve GET /metrics and the HTTP health endpoints (Paddle's --enable_prometheus). Default false. */
  readonly enablePrometheus: boolean;
  /** Port of that HTTP server (Paddle's --prometheus_port). Default 19393; 0 = any free port. */
  readonly prometheusPort: number;
  /**
   * Address that HTTP server listens on. Default 127.0.0.1 (metrics and health are for the local
   * scraper or sidecar; pass 0.0.0.0 to expose them), unlike the serving port's 0.0.0.0.
   */
  readonly prometheusHost: string;
  /** Test only: lets tests make a worker exit or throw on its next task. Default false. */
  readonly faultInjection: boolean;
  /**
   * Most requests handled at once by the process, all protocols together (Paddle's
   * --max_concurrency); over it a request fails at once with UNAVAILABLE. Default 0 = no cap.
   */
  readonly maxConcurrency: number;
}

export const BATCHING_FLAGS: FlagSpecs = {
  batching: { kind: 'boolean', help: 'merge concurrent requests into one ONNX Runtime run (on | off)', defaultText: 'on' },
  max_batch_size: { kind: 'integer', help: 'most rows in one merged run; larger requests are split across runs', defaultText: String(DEFAULT_BATCHING_OPTIONS.maxBatchSize) },
  max_queue_delay_micros: { kind: 'integer', help: 'how long a free worker waits for more requests to merge, microseconds (0 = never wait)', defaultText: '0' },
  preferred_batch_sizes: { kind: 'list', help: 'batch sizes (rows) run at once when queued requests add up to one of them', defaultText: 'none' },
  max_queue_size: { kind: 'integer', help: 'most requests waiting for a worker; beyond it calls fail at once with UNAVAILABLE (0 = no queue)', defaultText: String(DEFAULT_BATCHING_OPTIONS.maxQueueSize) },
  max_queue_time_micros: { kind: 'integer', help: 'queue-policy timeout (Triton\'s default_timeout_microseconds, REJECT): a request that waited longer than this in the batcher\'s queue fails with UNAVAILABLE instead of running late, and one arriving behind more queued rows than the measured drain rate clears in this time is refused at once, microseconds (0 = off; must exceed --max_queue_delay_micros)', defaultText: '0' },
  max_concurrency: { kind: 'integer', help: 'Paddle: most requests handled at once by this process, all protocols together (counted from the decoded request until its prediction is ready); over it a request fails at once with UNAVAILABLE / HTTP 503 / ELOGOFF, before its body is read (0 = no cap)', defaultText: '0' },
  batching_overrides: { kind: 'string', help: 'per-model batching overrides as JSON, e.g. {"ctr":{"maxBatchSize":64}}', defaultText: '{}' },
  runtime_thread_num: { kind: 'integer', help: 'Paddle: > 0 turns request merging on, 0 off (same as --batching)', defaultText: 'unset' },
  batch_infer_size: { kind: 'integer', help: 'Paddle: max merged batch (same as --max_batch_size)', defaultText: 'unset' },
  enable_prometheus: { kind: 'boolean', help: 'serve GET /metrics and /v2/health/{live,ready} on --prometheus_port', defaultText: 'false' },
  prometheus_port: { kind: 'integer', help: 'port of the metrics/health HTTP server (0 = any free port)', defaultText: '19393' },
  prometheus_host: { kind: 'string', help: 'address the metrics/health HTTP server listens on (0.0.0.0 exposes it on every interface)', defaultText: '127.0.0.1' },
  fault_injection: { kind: 'boolean', help: 'TEST ONLY: allow tests to make a worker exit or throw; never enable in production', defaultText: 'false' },
};

/** Metrics and health stay on the loopback interface unless --prometheus_host says otherwise. */
const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';

const OVERRIDE_KEYS = ['enabled', 'maxBatchSize', 'maxQueueDelayMicros', 'preferredBatchSizes', 'maxQueueSize', 'maxQueueTimeMicros'] as const;

export function batchingConfigFromFlags(flags: ParsedFlags, problems: string[]): { batching: BatchingConfig; ops: OpsConfig } {
  const integer = (name: string, fallback: number, min: number): number => {
    const value = flags[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      problems.push(`--${name} must be an integer >= ${min}; got ${String(value)}`);
      return fallback;
    }
    return value;
  };
  const runtimeThreads = integer('runtime_thread_num', -1, 0);
  const enabled = (flags.batching as boolean | undefined) ?? (runtimeThreads === -1 ? DEFAULT_BATCHING_OPTIONS.enabled : runtimeThreads > 0);
  const maxBatchSize = integer('max_batch_size', integer('batch_infer_size', DEFAULT_BATCHING_OPTIONS.maxBatchSize, 1), 1);
  const maxQueueDelayMicros = integer('max_queue_delay_micros', DEFAULT_BATCHING_OPTIONS.maxQueueDelayMicros, 0);
  const maxQueueSize = integer('max_queue_size', DEFAULT_BATCHING_OPTIONS.maxQueueSize, 0);
  const maxQueueTimeMicros = integer('max_queue_time_micros', DEFAULT_BATCHING_OPTIONS.maxQueueTimeMicros, 0);
  if (maxQueueTimeMicros > 0 && maxQueueTimeMicros <= maxQueueDelayMicros) {
    problems.push(`--max_queue_time_micros must be 0 (off) or larger than --max_queue_delay_micros (${maxQueueDelayMicros}); got ${maxQueueTimeMicros}`);
  }
  const maxConcurrency = integer('max_concurrency', 0, 0);
  const preferredBatchSizes = ((flags.preferred_batch_sizes as string[] | undefined) ?? []).map(Number);
  for (const size of preferredBatchSizes) {
    if (!Number.isSafeInteger(size) || size < 1 || size > maxBatchSize) {
      problems.push(`--preferred_batch_sizes must be integers in 1..--max_batch_size (${maxBatchSize}); got ${String(flags.preferred_batch_sizes)}`);
      break;
    }
  }
  if (maxQueueSize === 0 && maxQueueDelayMicros > 0) problems.push(`--max_queue_size 0 (no queue) cannot wait for batches; got --max_queue_delay_micros ${maxQueueDelayMicros}`);
  const overrides = parseOverrides(flags.batching_overrides as string | undefined, problems);
  const prometheusPort = integer('prometheus_port', 19393, 0);
  if (prometheusPort > 65535) problems.push(`--prometheus_port must be in 0..65535; got ${prometheusPort}`);
  return {
    batching: Object.freeze({ enabled, maxBatchSize, maxQueueDelayMicros, preferredBatchSizes: Object.freeze(preferredBatchSizes.sort((a, b) => a - b)), maxQueueSize, maxQueueTimeMicros, overrides }),
    ops: Object.freeze({ enablePrometheus: flags.enable_prometheus === true, prometheusPort, prometheusHost: (flags.prometheus_host as string | undefined) ?? DEFAULT_PROMETHEUS_HOST, faultInjection: flags.fault_injection === true, maxConcurrency }),
  };
}

function parseOverrides(json: string | undefined, problems: string[]): BatchingConfig['overrides'] {
  if (json === undefined || json.trim() === '') return Object.freeze({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    problems.push(`--batching_overrides must be JSON like {"ctr":{"maxBatchSize":64}}; got ${json} (${error instanceof Error ? error.message : String(error)})`);
    return Object.freeze({});
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`--batching_overrides must be a JSON object keyed by model name; got ${json}`);
    return Object.freeze({});
  }
  for (const [model, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null) {
      problems.push(`--batching_overrides: model "${model}" must map to an object; got ${JSON.stringify(value)}`);
      continue;
    }
    const unknown = Object.keys(value).filter((key) => !(OVERRIDE_KEYS as readonly string[]).includes(key));
    if (unknown.length > 0) problems.push(`--batching_overrides: model "${model}" has unknown keys {${unknown.join(', ')}}; allowed: {${OVERRIDE_KEYS.join(', ')}}`);
  }
  return Object.freeze(parsed as BatchingConfig['overrides']);
}

/** Refuses --batching_overrides keys that name no served model (a typo would otherwise do nothing). */
export function checkOverridesServed(overrides: BatchingConfig['overrides'], served: readonly string[], problems: string[]): void {
  const unserved = Object.keys(overrides).filter((model) => !served.includes(model));
  if (unserved.length === 0) return;
  problems.push(`--batching_overrides names ${unserved.map((m) => `"${m}"`).join(', ')}, which ${unserved.length === 1 ? 'is' : 'are'} not served; served model${served.length === 1 ? '' : 's'}: ${served.map((m) => `"${m}"`).join(', ')} (the name is --name, by default the last folder of --model)`);
}
