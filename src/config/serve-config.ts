/**
 * The server's configuration: one defaults object with units, Paddle `serve` flag names, one
 * validation that collects every problem, and a frozen result that is logged and exposed.
 *
 * Contract: `loadServeConfig(argv, env, cores)` is, with cli/, the only code that reads argv and
 * the environment (passed in, not read here). Layering: defaults <- env (REC_SERVING_*) <- flags.
 * Throws a FlagError listing every problem; flags that cannot be honoured here are refused with
 * the reason, never ignored.
 */
import { FlagError, parseFlags, type FlagSpecs, type ParsedFlags } from './parse-flags';
import { checkPaddleServeFlags, withPaddleServeFlags } from './paddle-serve-flags';
import type { ExecutionProviderConfig, GraphOptimizationLevel } from '../engine/session-config';
import type { Precision } from '../engine/providers/provider-catalog';
import type { ProviderRequest } from '../engine/providers/select-providers';
import { providerConfigFromFlags } from './provider-config';
import { startupWarnings } from './startup-warnings';
import { BATCHING_FLAGS, batchingConfigFromFlags, checkOverridesServed, type BatchingConfig, type OpsConfig } from './batching-config';
import { LOGGING_FLAGS, loggingConfigFromFlags, type LoggingConfig } from './logging-config';
import { CONNECTION_FLAGS, connectionLimitsFromFlags, type ConnectionLimits } from './connection-limits';
import { SECURITY_FLAGS, securityConfigFromFlags, type SecurityConfig } from './security-config';
import { REPOSITORY_FLAGS, repositoryConfigFromFlags, type RepositoryConfig } from './repository-config';
import { PROCESS_FLAGS, coresPerProcess, processesFromFlags } from './process-flags';

export interface ServeConfig {
  /** Model directory (Paddle's serving_server/). */
  readonly modelDir: string;
  /** Name clients address the model by; empty name = this model. */
  readonly modelName: string;
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Serving processes on the one port (--processes; 1 = no cluster). Workers and threads below are per process. */
  readonly processes: number;
  /** Worker threads, each with its own ONNX Runtime session (Paddle's --thread). */
  readonly workers: number;
  /** Intra-op threads per worker session (Paddle's cpu_threads). */
  readonly cpuThreadsPerWorker: number;
  readonly allowSpinning: boolean;
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  readonly memoryOptimization: boolean;
  /** The requested chain on the first device, before probing (the workers' chains come from the probe). */
  readonly executionProviders: readonly ExecutionProviderConfig[];
  /** Providers requested (priority order), CUDA device ids, strict | fallback (see provider-config.ts). */
  readonly providerRequest: ProviderRequest;
  /** How long one provider probe (child process) may take, milliseconds. */
  readonly probeTimeoutMs: number;
  readonly precision: Precision;
  /** Dynamic batcher and admission control (batching-config.ts has the flags and defaults). */
  readonly batching: BatchingConfig;
  /** Metrics/health HTTP port and test-only fault injection (batching-config.ts). */
  readonly ops: OpsConfig;
  /** Header, body and idle timeouts and stream limits per connection (connection-limits.ts). */
  readonly connections: ConnectionLimits;
  /** TLS on the serving port and bearer-token authentication (security-config.ts). */
  readonly security: SecurityConfig;
  /** Largest request or response message, bytes (Paddle's --max_body_size). */
  readonly maxBodyBytes: number;
  /** Most rows one request may carry. */
  readonly maxRequestRows: number;
  /**
   * Requests of at most this many rows run on a main-thread ONNX Runtime session when every worker
   * is idle and nothing is queued (no worker hand-off); 0 = always use the workers. CPU provider only.
   */
  readonly inlineMaxRows: number;
  /** After a main-thread run, how long the event loop keeps polling instead of sleeping, µs (0: not at all). */
  readonly mainThreadPollMicros: number;
  /** Refuse new requests at once (UNAVAILABLE) while the event loop is more than this far behind, ms; 0 = never. */
  readonly shedLoopLagMs: number;
  /** Feed column inputs (several [rows, 1] inputs of one dtype) to ONNX Runtime as one packed tensor. */
  readonly packFeeds: boolean;
  /** Batch sizes run once on every worker before the server reports ready. */
  readonly warmupBatchSizes: readonly number[];
  /** How long the whole shutdown may take (in-flight calls, then the engines), milliseconds. */
  readonly shutdownGraceMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Log line format and the per-request access log (logging-config.ts). */
  readonly logging: LoggingConfig;
  /** Model repository and model control (repository-config.ts). */
  readonly repository: RepositoryConfig;
  /** Flags accepted but not honoured exactly, one message each; logged at WARN on start-up. */
  readonly startupWarnings: readonly string[];
}

export const SERVE_FLAGS: FlagSpecs = withPaddleServeFlags({
  model: { kind: 'string', help: 'model directory with model.onnx and serving_server_conf.prototxt', defaultText: 'serving_server' },
  name: { kind: 'string', help: 'model name clients may address (an empty name always means this model)', defaultText: 'basename of --model' },
  host: { kind: 'string', help: 'address the serving port listens on (all interfaces by default, as Paddle Serving; the metrics port has --prometheus_host)', defaultText: '0.0.0.0' },
  port: { kind: 'integer', help: 'port for gRPC (0 = any free port)', defaultText: '9393' },
  thread: { kind: 'integer', help: 'worker threads, each owning one ONNX Runtime session', defaultText: 'cores / cpu_threads, at least 1' },
  cpu_threads: { kind: 'integer', help: 'ONNX Runtime intra-op threads per worker', defaultText: 'cores / workers, at least 1' },
  allow_spinning: { kind: 'boolean', help: 'let ONNX Runtime threads spin while idle (faster small runs, burns CPU)', defaultText: 'false' },
  gpu_ids: { kind: 'list', help: 'GPU ids ("" or -1 = CPU); "0" runs on CUDA device 0; "0,1" spreads the workers over devices 0 and 1', defaultText: '""' },
  use_trt: { kind: 'boolean', help: 'TensorRT first, then CUDA, on the --gpu_ids devices (Paddle\'s --use_trt)', defaultText: 'false' },
  providers: { kind: 'list', help: 'execution providers in priority order: cpu, cuda, tensorrt, webgpu (GPU ones need npm run install-gpu; each is probed at startup in a child process)', defaultText: 'cpu, or cuda with --gpu_ids' },
  provider_policy: { kind: 'string', help: 'strict (refuse to start when a requested provider is unavailable) | fallback (serve on what works, CPU last)', defaultText: 'strict' },
  probe_timeout_ms: { kind: 'integer', help: 'how long one provider probe may take before it is killed and reported as unavailable', defaultText: '60000' },
  ir_optim: { kind: 'boolean', help: 'graph (IR) optimisation: ONNX Runtime level "all" when on, "basic" when off', defaultText: 'false' },
  mem_optim_off: { kind: 'boolean', help: 'turn off the CPU memory arena and memory pattern', defaultText: 'false' },
  precision: { kind: 'string', help: 'fp32 | fp16 | int8 | bf16: only fp32 runs; the others are refused per provider with the reason', defaultText: 'fp32' },
  max_body_size: { kind: 'integer', help: 'largest request/response message in bytes (Paddle Serving\'s default is 536870912; a smaller default keeps one request from stalling the others while it is parsed: about 8 times the default model\'s largest binary request, 4096 rows)', defaultText: '8388608 (8 MiB)' },
  max_request_rows: { kind: 'integer', help: 'most rows one request may carry (a larger one is refused with INVALID_ARGUMENT; --max_batch_size caps the rows of one engine run)', defaultText: '4096' },
  max_batch_rows: { kind: 'integer', help: 'older name of --max_request_rows' },
  inline_max_rows: { kind: 'integer', help: 'requests of at most this many rows run on a main-thread session while every worker is idle (no hand-off; blocks the event loop for one small run); 0 = always the workers; CPU only', defaultText: '16' },
  main_thread_poll_micros: { kind: 'integer', help: 'after a request ran on the main thread (the server was quiet), the event loop keeps polling this long, microseconds, instead of sleeping: the next call of a client that sends one at a time is read without a wake-up and runs on warm caches, for the main thread\'s CPU during the window; 0 = sleep at once', defaultText: '500' },
  shed_loop_lag_ms: { kind: 'integer', help: 'refuse new requests at once with UNAVAILABLE (HTTP 503, baidu_std ELOGOFF) while the event loop is more than this many ms behind (overload); 0 = never shed', defaultText: '0 (off)' },
  pack_feeds: { kind: 'boolean', help: 'feed column inputs (e.g. C1..C26, int64 [rows, 1]) to ONNX Runtime as one [rows, n] tensor through a rewritten graph that computes the same function', defaultText: 'true' },
  warmup_batch_sizes: { kind: 'list', help: 'batch sizes run on every worker before serving (empty list = none); each at most --max_request_rows (the defaults above it are skipped)', defaultText: '1,5,32' },
  shutdown_grace_ms: { kind: 'integer', help: 'how long a shutdown (SIGTERM) may take, milliseconds: requests already received are answered, new ones refused (UNAVAILABLE / 503), then the workers close; whatever is left after this is cut off', defaultText: '10000' },
  log_level: { kind: 'string', help: 'debug | info | warn | error | silent', defaultText: 'info' },
  ...LOGGING_FLAGS,
  ...BATCHING_FLAGS,
  ...CONNECTION_FLAGS,
  ...SECURITY_FLAGS,
  ...REPOSITORY_FLAGS,
  ...PROCESS_FLAGS,
  help: { kind: 'boolean', help: 'print this help' },
});

const DEFAULTS = {
  modelDir: 'serving_server',
  host: '0.0.0.0',
  port: 9393,
  maxBodyBytes: 8 * 1024 * 1024,
  maxRequestRows: 4096,
  inlineMaxRows: 16,
  mainThreadPollMicros: 500,
  warmupBatchSizes: [1, 5, 32],
  shutdownGraceMs: 10000,
  logLevel: 'info',
} as const;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** Maps REC_SERVING_<FLAG> environment variables onto flags (flags win). */
function flagsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const args: string[] = [];
  for (const name of Object.keys(SERVE_FLAGS)) {
    const value = env[`REC_SERVING_${name.toUpperCase()}`];
    if (value !== undefined && name !== 'help') args.push(`--${name}=${value}`);
  }
  return args;
}

export function loadServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cores: number): ServeConfig {
  const flags: ParsedFlags = { ...parseFlags(flagsFromEnv(env), SERVE_FLAGS), ...parseFlags(argv, SERVE_FLAGS) };
  const problems: string[] = [];
  checkPaddleServeFlags(flags, problems);
  const positive = (name: string, fallback: number): number => {
    const value = flags[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || value < 1) {
      problems.push(`--${name} must be a positive integer; got ${String(value)}`);
      return fallback;
    }
    return value;
  };
  const explicitThreads = flags.cpu_threads as number | undefined;
  const processes = processesFromFlags(flags, problems);
  const processCores = coresPerProcess(cores, processes);
  const workers = positive('thread', Math.max(1, Math.floor(processCores / (explicitThreads ?? 1))));
  const cpuThreadsPerWorker = positive('cpu_threads', Math.max(1, Math.floor(processCores / workers)));
  const port = flags.port === undefined ? DEFAULTS.port : (flags.port as number);
  if (port < 0 || port > 65535) problems.push(`--port must be in 0..65535; got ${port}`);
  const { batching, ops } = batchingConfigFromFlags(flags, problems);
  const logging = loggingConfigFromFlags(flags, problems);
  const connections = connectionLimitsFromFlags(flags, problems);
  const security = securityConfigFromFlags(flags, problems, { argv, env });
  const repository = repositoryConfigFromFlags(flags, problems);
  const shutdownGraceMs = (flags.shutdown_grace_ms as number | undefined) ?? DEFAULTS.shutdownGraceMs;
  if (!Number.isSafeInteger(shutdownGraceMs) || shutdownGraceMs < 0) problems.push(`--shutdown_grace_ms must be an integer >= 0 (milliseconds); got ${String(flags.shutdown_grace_ms)}`);
  const { providerRequest, precision } = providerConfigFromFlags(
    { providers: flags.providers as string[] | undefined, provider_policy: flags.provider_policy as string | undefined, use_trt: flags.use_trt as boolean | undefined, gpu_ids: flags.gpu_ids as string[] | undefined, precision: flags.precision as string | undefined },
    problems,
  );
  const logLevel = (flags.log_level as string | undefined) ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`--log_level must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`);
  const warmup = flags.warmup_batch_sizes === undefined ? [...DEFAULTS.warmupBatchSizes] : (flags.warmup_batch_sizes as string[]).map(Number);
  for (const size of warmup) if (!Number.isSafeInteger(size) || size < 1) problems.push(`--warmup_batch_sizes must be positive integers; got ${String(flags.warmup_batch_sizes)}`);
  if (flags.max_batch_rows !== undefined && flags.max_request_rows !== undefined && flags.max_batch_rows !== flags.max_request_rows) {
    problems.push(`--max_batch_rows is the older name of --max_request_rows; they disagree (${String(flags.max_batch_rows)} vs ${String(flags.max_request_rows)}): give one`);
  }
  const maxRequestRows = positive(flags.max_request_rows === undefined && flags.max_batch_rows !== undefined ? 'max_batch_rows' : 'max_request_rows', DEFAULTS.maxRequestRows);
  const inlineMaxRows = (flags.inline_max_rows as number | undefined) ?? DEFAULTS.inlineMaxRows;
  const mainThreadPollMicros = (flags.main_thread_poll_micros as number | undefined) ?? DEFAULTS.mainThreadPollMicros;
  const shedLoopLagMs = (flags.shed_loop_lag_ms as number | undefined) ?? 0;
  if (!Number.isSafeInteger(shedLoopLagMs) || shedLoopLagMs < 0) problems.push(`--shed_loop_lag_ms must be an integer >= 0; got ${String(flags.shed_loop_lag_ms)}`);
  if (!Number.isSafeInteger(inlineMaxRows) || inlineMaxRows < 0) problems.push(`--inline_max_rows must be an integer >= 0; got ${String(flags.inline_max_rows)}`);
  if (!Number.isSafeInteger(mainThreadPollMicros) || mainThreadPollMicros < 0 || mainThreadPollMicros > 1_000_000) {
    problems.push(`--main_thread_poll_micros must be an integer from 0 to 1000000; got ${String(flags.main_thread_poll_micros)}`);
  }
  const tooLarge = flags.warmup_batch_sizes === undefined ? [] : warmup.filter((size) => size > maxRequestRows);
  if (tooLarge.length > 0) {
    problems.push(`--warmup_batch_sizes ${tooLarge.join(',')} ${tooLarge.length === 1 ? 'is' : 'are'} larger than --max_request_rows (${maxRequestRows}): a warm-up batch must be a request the server accepts; lower it or raise --max_request_rows`);
  }
  const firstDevice = providerRequest.deviceIds[0] ?? 0;
  const executionProviders: ExecutionProviderConfig[] = providerRequest.providers.map((name) =>
    name === 'cuda' || name === 'tensorrt' ? { name, deviceId: firstDevice } : { name },
  );
  const probeTimeoutMs = positive('probe_timeout_ms', 60000);
  const modelDir = (flags.model as string | undefined) ?? DEFAULTS.modelDir;
  // With a repository, an empty name addresses --name, or else the first model (by name); the
  // repository checks --batching_overrides against the models it finds.
  const modelName = (flags.name as string | undefined) ?? (repository.modelRepository === undefined ? baseName(modelDir) : '');
  if (repository.modelRepository === undefined) checkOverridesServed(batching.overrides, [modelName], problems);
  if (processes > 1 && repository.modelControlMode === 'explicit') {
    problems.push(`--model_control_mode explicit cannot work with --processes ${processes}: a load or unload request reaches one serving process only; use --model_control_mode poll (every process polls the repository) or SIGHUP to the primary (passed on to every process)`);
  }
  if (problems.length > 0) throw new FlagError(problems);
  return Object.freeze({
    modelDir,
    modelName,
    repository,
    host: (flags.host as string | undefined) ?? DEFAULTS.host,
    port,
    processes,
    workers,
    cpuThreadsPerWorker,
    allowSpinning: (flags.allow_spinning as boolean | undefined) ?? false,
    graphOptimizationLevel: flags.ir_optim === true ? 'all' : 'basic',
    memoryOptimization: flags.mem_optim_off !== true,
    executionProviders: Object.freeze(executionProviders),
    providerRequest,
    probeTimeoutMs,
    precision,
    maxBodyBytes: positive('max_body_size', DEFAULTS.maxBodyBytes),
    maxRequestRows,
    inlineMaxRows,
    mainThreadPollMicros,
    packFeeds: (flags.pack_feeds as boolean | undefined) ?? true,
    shedLoopLagMs,
    // Only default sizes can exceed the limit here (explicit ones were refused above).
    warmupBatchSizes: Object.freeze(warmup.filter((size) => size <= maxRequestRows)),
    shutdownGraceMs,
    connections,
    security,
    logLevel: logLevel as ServeConfig['logLevel'],
    logging,
    batching,
    ops,
    startupWarnings: Object.freeze(startupWarnings(flags, batching)),
  });
}

function baseName(dir: string): string {
  const parts = dir.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts[parts.length - 1] || 'default';
}
