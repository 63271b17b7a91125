/**
 * Client retries with gRPC's service-config semantics (gRFC A6), for the balanced channel.
 *
 * Contract:
 * - `parseServiceConfig(json)` reads gRPC's service config (`methodConfig[].name`, `.retryPolicy`
 *   with `maxAttempts`, `initialBackoff`/`maxBackoff` as `"0.1s"` durations, `backoffMultiplier`,
 *   `retryableStatusCodes` as names or numbers; top-level `retryThrottling` with `maxTokens`,
 *   `tokenRatio`) and throws an Error naming the field, expected and actual value for anything
 *   out of range (maxAttempts 2..5 as gRPC allows; a value above 5 is refused, not clamped).
 * - `policyFor(config, path)` is the retry policy of `/service/method` (the most specific
 *   matching methodConfig), or undefined: no retries.
 * - `backoffMs(policy, retry, random)`: the wait before retry n (1-based): uniformly random in
 *   [0, min(initial * multiplier^(n-1), max)).
 * - `RetryThrottle`: tokens start at maxTokens; a call failing with a retryable code takes 1, a
 *   success gives back tokenRatio; retries are allowed only while tokens > maxTokens / 2.
 */
import { Code } from '../core/errors';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly retryableCodes: readonly Code[];
}

export interface RetryThrottling {
  readonly maxTokens: number;
  readonly tokenRatio: number;
}

interface MethodConfig {
  readonly names: ReadonlyArray<{ service?: string; method?: string }>;
  readonly retryPolicy: RetryPolicy;
}

export interface ServiceConfig {
  readonly methodConfigs: readonly MethodConfig[];
  readonly retryThrottling?: RetryThrottling;
}

/** rec-client's `--max_attempts N`: retry UNAVAILABLE on every method, 100 ms doubling to 1 s, 10 tokens at 0.1. */
export function defaultRetryServiceConfig(maxAttempts: number): ServiceConfig {
  return parseServiceConfig({
    methodConfig: [{ name: [{}], retryPolicy: { maxAttempts, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } }],
    retryThrottling: { maxTokens: 10, tokenRatio: 0.1 },
  });
}

export function parseServiceConfig(input: string | object): ServiceConfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (error) {
      throw new Error(`the service config is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const root = record(raw, 'service config');
  const methodConfigs: MethodConfig[] = [];
  const list = root.methodConfig ?? [];
  if (!Array.isArray(list)) throw new Error(`service config "methodConfig" must be a list; got ${JSON.stringify(list)}`);
  list.forEach((entry, index) => {
    const at = `methodConfig[${index}]`;
    const method = record(entry, at);
    if (method.retryPolicy === undefined) return;
    const names = method.name ?? [{}];
    if (!Array.isArray(names)) throw new Error(`${at}.name must be a list; got ${JSON.stringify(names)}`);
    methodConfigs.push({
      names: names.map((name, i) => {
        const value = record(name, `${at}.name[${i}]`);
        return { ...(typeof value.service === 'string' && value.service !== '' ? { service: value.service } : {}), ...(typeof value.method === 'string' && value.method !== '' ? { method: value.method } : {}) };
      }),
      retryPolicy: retryPolicyOf(record(method.retryPolicy, `${at}.retryPolicy`), `${at}.retryPolicy`),
    });
  });
  let retryThrottling: RetryThrottling | undefined;
  if (root.retryThrottling !== undefined) {
    const t = record(root.retryThrottling, 'retryThrottling');
    const maxTokens = t.maxTokens;
    const tokenRatio = t.tokenRatio;
    if (typeof maxTokens !== 'number' || !(maxTokens > 0 && maxTokens <= 1000)) throw new Error(`retryThrottling.maxTokens must be a number in (0, 1000]; got ${JSON.stringify(maxTokens)}`);
    if (typeof tokenRatio !== 'number' || !(tokenRatio > 0)) throw new Error(`retryThrottling.tokenRatio must be a number > 0; got ${JSON.stringify(tokenRatio)}`);
    retryThrottling = { maxTokens, tokenRatio: Math.floor(tokenRatio * 1000) / 1000 };
  }
  return { methodConfigs, ...(retryThrottling === undefined ? {} : { retryThrottling }) };
}

export function policyFor(config: ServiceConfig | undefined, path: string): RetryPolicy | undefined {
  if (config === undefined) return undefined;
  const [, service = '', method = ''] = path.split('/');
  let best: { policy: RetryPolicy; rank: number } | undefined;
  for (const entry of config.methodConfigs) {
    for (const name of entry.names) {
      if (name.service !== undefined && name.service !== service) continue;
      if (name.method !== undefined && (name.service === undefined || name.method !== method)) continue;
      const rank = name.method !== undefined ? 2 : name.service !== undefined ? 1 : 0;
      if (best === undefined || rank > best.rank) best = { policy: entry.retryPolicy, rank };
    }
  }
  return best?.policy;
}

export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.initialBackoffMs * policy.backoffMultiplier ** (retry - 1), policy.maxBackoffMs);
  return random() * ceiling;
}

export class RetryThrottle {
  private tokens: number;

  constructor(private readonly settings: RetryThrottling) {
    this.tokens = settings.maxTokens;
  }

  get tokenCount(): number {
    return this.tokens;
  }

  onRetryableFailure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  onSuccess(): void {
    this.tokens = Math.min(this.settings.maxTokens, this.tokens + this.settings.tokenRatio);
  }

  allowsRetry(): boolean {
    return this.tokens > this.settings.maxTokens / 2;
  }
}

function retryPolicyOf(policy: Record<string, unknown>, at: string): RetryPolicy {
  const maxAttempts = policy.maxAttempts;
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 2 || maxAttempts > 5) {
    throw new Error(`${at}.maxAttempts must be an integer in 2..5 (gRPC's limit; 1 = no retry policy); got ${JSON.stringify(maxAttempts)}`);
  }
  const initialBackoffMs = durationMs(policy.initialBackoff, `${at}.initialBackoff`);
  const maxBackoffMs = durationMs(policy.maxBackoff, `${at}.maxBackoff`);
  const backoffMultiplier = policy.backoffMultiplier;
  if (typeof backoffMultiplier !== 'number' || !(backoffMultiplier > 0)) throw new Error(`${at}.backoffMultiplier must be a number > 0; got ${JSON.stringify(backoffMultiplier)}`);
  const codes = policy.retryableStatusCodes;
  if (!Array.isArray(codes) || codes.length === 0) throw new Error(`${at}.retryableStatusCodes must be a non-empty list of status codes (e.g. ["UNAVAILABLE"]); got ${JSON.stringify(codes)}`);
  const retryableCodes = codes.map((code) => {
    const value = typeof code === 'number' ? code : typeof code === 'string' ? (Code as unknown as Record<string, number>)[code.toUpperCase()] : undefined;
    if (value === undefined || Code[value] === undefined || value === Code.OK) throw new Error(`${at}.retryableStatusCodes: "${String(code)}" is not a gRPC status code name (e.g. UNAVAILABLE)`);
    return value as Code;
  });
  return { maxAttempts, initialBackoffMs, maxBackoffMs, backoffMultiplier, retryableCodes };
}

/** A protobuf JSON Duration such as "0.1s" or "2s", in milliseconds (> 0). */
function durationMs(value: unknown, at: string): number {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  const ms = match === null ? NaN : Number(match[1]) * 1000;
  if (!(ms > 0)) throw new Error(`${at} must be a duration > 0 written like "0.1s"; got ${JSON.stringify(value)}`);
  return ms;
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${at} must be a JSON object; got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}
