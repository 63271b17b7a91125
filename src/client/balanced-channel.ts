/**
 * Client-side load balancing and retries over GrpcUnaryChannel connections: what
 * `RecServingClient` and the gRPC modes of rec-client call through.
 *
 * Contract:
 * - `BalancedChannel.connect(address, options)` takes every form connect-targets.ts accepts
 *   (`a:9393,b:9393`, `dns:host:port`) and opens `connectionsPerEndpoint` HTTP/2 connections
 *   (default 1) to every endpoint, lazily. `dns:` names resolve to all their addresses with the
 *   system resolver, again every `dnsRefreshMs` (default 30 s) and after a connection failure (at
 *   most once per `dnsMinIntervalMs`, default 1 s); endpoints that disappear are closed
 *   gracefully (calls in flight finish), new ones are added.
 * - Round robin: each call takes the next connection. A connection that cannot connect is
 *   skipped (backoff 1 s, x1.6, up to 30 s) and the call goes to the next one without counting as
 *   an attempt (it was never sent), as gRPC's round_robin picker does; only when no endpoint
 *   connects does the call fail, with UNAVAILABLE naming every endpoint and its error.
 * - Retries follow the service config (retry-policy.ts): a call that fails with a retryable code
 *   is sent again, on the next connection, after a random backoff, while attempts, retry tokens
 *   and the call's deadline allow. Without a retry policy (the default, as in gRPC) a failed call
 *   is not retried. Calls refused unprocessed by the server (REFUSED_STREAM, GOAWAY) are sent
 *   again by GrpcUnaryChannel itself (transparent retry) in either case.
 * - The per-call deadline (`deadlineMs`) covers every attempt and backoff: when it passes the
 *   call fails with DEADLINE_EXCEEDED.
 * - `stats()` counts calls, attempts, retries and calls per endpoint (tests and rec-client).
 */
import type { ClientSecurity } from './client-security';
import * as dns from 'node:dns';
import { Code, ServingError } from '../core/errors';
import { formatHostPort, parseConnectTargets, type ConnectTarget } from './connect-targets';
import { GrpcUnaryChannel, type UnaryCallOptions } from './grpc-unary-channel';
import { RetryThrottle, backoffMs, policyFor, type ServiceConfig } from './retry-policy';

export interface BalancedChannelOptions {
  /** TLS (ALPN h2) and a bearer token for every connection (client-security.ts). */
  readonly security?: ClientSecurity;
  /** Largest response message accepted, bytes. */
  readonly maxMessageBytes?: number;
  /** HTTP/2 connections opened to each endpoint (several spread one client over a multi-process server); default 1. */
  readonly connectionsPerEndpoint?: number;
  /** gRPC service config (retryPolicy per method, retryThrottling); none: no retries. */
  readonly serviceConfig?: ServiceConfig;
  /** How often `dns:` names are resolved again, ms; default 30000. */
  readonly dnsRefreshMs?: number;
  /** Least time between two resolutions triggered by connection failures, ms; default 1000. */
  readonly dnsMinIntervalMs?: number;
  /** Resolver of `dns:` names to addresses; default node:dns lookup of every A and AAAA address (/etc/hosts included). */
  readonly lookup?: (host: string) => Promise<string[]>;
  /** Longest wait for one connection attempt, ms (a call's deadline shortens it); default 20000. */
  readonly connectTimeoutMs?: number;
}

export interface BalancedChannelStats {
  readonly calls: number;
  readonly attempts: number;
  readonly retries: number;
  /** Attempts per endpoint (`host:port`). */
  readonly perEndpoint: Readonly<Record<string, number>>;
  /** The endpoints now in the rotation. */
  readonly endpoints: readonly string[];
}

interface Subchannel {
  readonly key: string;
  readonly endpoint: string;
  readonly channel: GrpcUnaryChannel;
  failures: number;
  retryAtMs: number;
  lastError: string | undefined;
  /** The connection attempt in progress, shared by the calls waiting for it. */
  connecting?: Promise<void>;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;

export class BalancedChannel {
  private subchannels: Subchannel[] = [];
  private next = 0;
  private closed = false;
  private resolving: Promise<void> | undefined;
  private lastResolveMs = 0;
  private resolveError: string | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly throttle: RetryThrottle | undefined;
  private counters = { calls: 0, attempts: 0, retries: 0 };
  private readonly perEndpoint = new Map<string, number>();

  private constructor(private readonly address: string, private readonly targets: readonly ConnectTarget[], private readonly options: BalancedChannelOptions) {
    const perEndpoint = options.connectionsPerEndpoint ?? 1;
    if (!Number.isInteger(perEndpoint) || perEndpoint < 1) throw new Error(`connectionsPerEndpoint must be an integer >= 1; got ${perEndpoint}`);
    this.throttle = options.serviceConfig?.retryThrottling === undefined ? undefined : new RetryThrottle(options.serviceConfig.retryThrottling);
    this.setEndpoints(targets.filter((t) => t.kind === 'static').map((t) => ({ host: t.host, port: t.port })));
    if (targets.some((t) => t.kind === 'dns')) {
      this.resolving = this.resolve();
      this.timer = setInterval(() => void this.resolve(), options.dnsRefreshMs ?? 30000);
      this.timer.unref();
    }
  }

  static connect(address: string, options: BalancedChannelOptions = {}): BalancedChannel {
    return new BalancedChannel(address, parseConnectTargets(address), options);
  }

  stats(): BalancedChannelStats {
    return { ...this.counters, perEndpoint: Object.fromEntries(this.perEndpoint), endpoints: [...new Set(this.subchannels.map((s) => s.endpoint))] };
  }

  /** Resolves once some endpoint accepts a connection, or rejects with UNAVAILABLE after `timeoutMs`. */
  async waitForReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.pick(until);
        return;
      } catch (error) {
        if (Date.now() >= until) throw error;
        await sleep(Math.min(50, until - Date.now()));
      }
    }
  }

  async unary(path: string, message: Uint8Array, options: UnaryCallOptions = {}): Promise<Buffer> {
    const deadlineEpochMs = (options.deadlineMs ?? 0) > 0 ? Date.now() + (options.deadlineMs as number) : 0;
    const policy = policyFor(this.options.serviceConfig, path);
    this.counters.calls++;
    for (let attempt = 1; ; attempt++) {
      let error: ServingError;
      try {
        const sub = this.pickConnected() ?? (await this.pick(deadlineEpochMs));
        this.counters.attempts++;
        this.perEndpoint.set(sub.endpoint, (this.perEndpoint.get(sub.endpoint) ?? 0) + 1);
        const remaining = deadlineEpochMs === 0 ? 0 : deadlineEpochMs - Date.now();
        if (deadlineEpochMs !== 0 && remaining <= 0) throw deadlineExceeded(options.deadlineMs as number);
        const bytes = await sub.channel.unary(path, message, { deadlineMs: remaining });
        this.throttle?.onSuccess();
        return bytes;
      } catch (caught) {
        if (!(caught instanceof ServingError)) throw caught;
        error = caught;
      }
      if (policy === undefined || !policy.retryableCodes.includes(error.code)) throw error;
      this.throttle?.onRetryableFailure();
      if (attempt >= policy.maxAttempts) throw withAttempts(error, attempt, 'attempts used up');
      if (this.throttle !== undefined && !this.throttle.allowsRetry()) throw withAttempts(error, attempt, 'retries throttled');
      const wait = backoffMs(policy, attempt);
      if (deadlineEpochMs !== 0 && Date.now() + wait >= deadlineEpochMs) throw withAttempts(error, attempt, 'no time left before the deadline');
      await sleep(wait);
      this.counters.retries++;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const sub of this.subchannels) sub.channel.close();
    this.subchannels = [];
  }

  /** Fast path: the next connection in the rotation if it is connected now (no await). */
  private pickConnected(): Subchannel | undefined {
    const subs = this.subchannels;
    if (subs.length === 0) return undefined;
    const sub = subs[this.next % subs.length];
    if (!sub.channel.isConnected) return undefined;
    this.next++;
    return sub;
  }

  /**
   * The next connection that is connected or connects now; those in backoff are tried last, in
   * order of their backoff's end. Rejects with UNAVAILABLE naming each endpoint's error when none connects.
   */
  private async pick(deadlineEpochMs: number): Promise<Subchannel> {
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the channel is closed');
    if (this.resolving !== undefined) await this.resolving;
    if (this.subchannels.length === 0 && this.targets.some((t) => t.kind === 'dns') && Date.now() - this.lastResolveMs >= (this.options.dnsMinIntervalMs ?? 1000)) await this.resolve();
    const subs = this.subchannels;
    if (subs.length === 0) {
      throw new ServingError(Code.UNAVAILABLE, `No connection established: "${this.address}" resolved to no address${this.resolveError === undefined ? '' : ` (${this.resolveError})`}`);
    }
    const start = this.next++;
    const now = Date.now();
    const rotation = subs.map((_, i) => subs[(start + i) % subs.length]);
    const order = [...rotation.filter((s) => s.retryAtMs <= now), ...rotation.filter((s) => s.retryAtMs > now).sort((a, b) => a.retryAtMs - b.retryAtMs)];
    for (const sub of order) {
      if (sub.channel.isConnected) return sub;
      try {
        await beforeDeadline(this.connectOnce(sub), deadlineEpochMs, this.address);
        return sub;
      } catch (error) {
        if (error instanceof ServingError && error.code === Code.DEADLINE_EXCEEDED) throw error;
      }
    }
    const reasons = [...new Map(order.map((s) => [s.endpoint, s.lastError ?? 'not connected'])).entries()].map(([endpoint, why]) => `${endpoint} (${why})`);
    throw new ServingError(Code.UNAVAILABLE, `No connection established: ${reasons.join('; ')}`);
  }

  /**
   * One connection attempt per connection at a time, shared by every call waiting for it (each
   * waits only until its own deadline); a failure puts the connection in backoff.
   */
  private connectOnce(sub: Subchannel): Promise<void> {
    if (sub.connecting === undefined) {
      const attempt = sub.channel.connect(this.options.connectTimeoutMs ?? 20000).then(
        () => {
          sub.failures = 0;
          sub.retryAtMs = 0;
          sub.lastError = undefined;
        },
        (error: unknown) => {
          sub.failures++;
          sub.retryAtMs = Date.now() + Math.min(BACKOFF_BASE_MS * 1.6 ** (sub.failures - 1), BACKOFF_MAX_MS) * (0.8 + 0.4 * Math.random());
          sub.lastError = error instanceof ServingError ? error.rawMessage.replace(/^No connection established: /, '') : String(error);
          if (this.targets.some((t) => t.kind === 'dns') && Date.now() - this.lastResolveMs >= (this.options.dnsMinIntervalMs ?? 1000)) void this.resolve();
          throw error;
        },
      );
      sub.connecting = attempt;
      attempt.then(() => { sub.connecting = undefined; }, () => { sub.connecting = undefined; });
    }
    return sub.connecting;
  }

  /** Resolves every `dns:` target and replaces the endpoint list; on failure keeps the previous list. */
  private resolve(): Promise<void> {
    this.lastResolveMs = Date.now();
    const run = (async () => {
      const endpoints = this.targets.filter((t) => t.kind === 'static').map((t) => ({ host: t.host, port: t.port }));
      const problems: string[] = [];
      for (const target of this.targets.filter((t) => t.kind === 'dns')) {
        try {
          const addresses = this.options.lookup === undefined ? (await dns.promises.lookup(target.host, { all: true })).map((a) => a.address) : await this.options.lookup(target.host);
          for (const address of addresses) endpoints.push({ host: address, port: target.port });
        } catch (error) {
          problems.push(`cannot resolve ${target.host}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.resolveError = problems.length === 0 ? undefined : problems.join('; ');
      if (!this.closed && (problems.length === 0 || endpoints.length > 0)) this.setEndpoints(endpoints);
    })();
    this.resolving = run;
    return run.finally(() => {
      if (this.resolving === run) this.resolving = undefined;
    });
  }

  private setEndpoints(endpoints: ReadonlyArray<{ host: string; port: number }>): void {
    const perEndpoint = this.options.connectionsPerEndpoint ?? 1;
    const existing = new Map(this.subchannels.map((s) => [s.key, s]));
    const next: Subchannel[] = [];
    for (const { host, port } of endpoints) {
      const endpoint = formatHostPort(host, port);
      for (let i = 0; i < perEndpoint; i++) {
        const key = `${endpoint}#${i}`;
        if (next.some((s) => s.key === key)) continue;
        const kept = existing.get(key);
        existing.delete(key);
        next.push(kept ?? { key, endpoint, channel: GrpcUnaryChannel.connect(endpoint, { maxMessageBytes: this.options.maxMessageBytes, ...(this.options.security === undefined ? {} : { security: this.options.security }) }), failures: 0, retryAtMs: 0, lastError: undefined });
      }
    }
    for (const gone of existing.values()) gone.channel.close();
    this.subchannels = next;
  }
}

function withAttempts(error: ServingError, attempts: number, why: string): ServingError {
  if (attempts < 2) return new ServingError(error.code, `${error.rawMessage} (not retried: ${why})`, { cause: error });
  return new ServingError(error.code, `${error.rawMessage} (after ${attempts} attempts; ${why})`, { cause: error });
}

function deadlineExceeded(deadlineMs: number): ServingError {
  return new ServingError(Code.DEADLINE_EXCEEDED, `deadline of ${deadlineMs} ms exceeded`);
}

/** `promise`, or DEADLINE_EXCEEDED when the call's deadline (epoch ms; 0 = none) comes first. */
async function beforeDeadline(promise: Promise<void>, deadlineEpochMs: number, address: string): Promise<void> {
  if (deadlineEpochMs === 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServingError(Code.DEADLINE_EXCEEDED, `deadline exceeded while connecting to ${address}`)), Math.max(0, deadlineEpochMs - Date.now()));
  });
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
