/**
 * Serve flags that bound what one client connection may hold on the serving port: how long
 * it may take to send its headers, its body or its frame, how long it may stay idle, and how
 * many gRPC streams it may have open. Defaults follow Envoy's and Node's where they exist.
 *
 * Contract: `connectionLimitsFromFlags(flags, problems)` never throws: it pushes one message per
 * bad value (naming the flag, the constraint and the value) into `problems` and returns the
 * default for it. Every timeout is in milliseconds and must be >= 1 (none can be turned off:
 * an unbounded wait is what these flags exist to prevent).
 */
import type { FlagSpecs, ParsedFlags } from './parse-flags';

export interface ConnectionLimits {
  /** A new connection must send its first 4 bytes (the protocol sniff) within this. */
  readonly sniffTimeoutMs: number;
  /** HTTP/1.1: the request line and headers must arrive within this of the request's first byte (408 otherwise). */
  readonly httpHeaderTimeoutMs: number;
  /** HTTP/1.1: the whole request, body included, must arrive within this (408 otherwise). */
  readonly httpRequestTimeoutMs: number;
  /** HTTP/1.1: an idle keep-alive connection is closed after this. */
  readonly httpKeepAliveTimeoutMs: number;
  /** baidu_std: a frame once started must be complete within this, or the connection is closed. */
  readonly baiduStdFrameTimeoutMs: number;
  /** baidu_std: a connection with no request in flight and no bytes received for this long is closed. */
  readonly baiduStdIdleTimeoutMs: number;
  /** h2c: a session with no open stream for this long gets GOAWAY (NO_ERROR) and is closed. */
  readonly h2IdleTimeoutMs: number;
  /** gRPC: a stream's request (its message and END_STREAM) must arrive within this of its headers. */
  readonly grpcStreamBodyTimeoutMs: number;
  /** gRPC: SETTINGS_MAX_CONCURRENT_STREAMS advertised on every h2c connection. */
  readonly grpcMaxConcurrentStreams: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  sniffTimeoutMs: 10_000,
  httpHeaderTimeoutMs: 10_000,
  httpRequestTimeoutMs: 60_000,
  httpKeepAliveTimeoutMs: 65_000,
  baiduStdFrameTimeoutMs: 30_000,
  baiduStdIdleTimeoutMs: 300_000,
  h2IdleTimeoutMs: 300_000,
  grpcStreamBodyTimeoutMs: 30_000,
  grpcMaxConcurrentStreams: 1000,
});

const FLAG_FIELDS: ReadonlyArray<readonly [string, keyof ConnectionLimits]> = [
  ['sniff_timeout_ms', 'sniffTimeoutMs'],
  ['http_header_timeout_ms', 'httpHeaderTimeoutMs'],
  ['http_request_timeout_ms', 'httpRequestTimeoutMs'],
  ['http_keepalive_timeout_ms', 'httpKeepAliveTimeoutMs'],
  ['baidu_std_frame_timeout_ms', 'baiduStdFrameTimeoutMs'],
  ['baidu_std_idle_timeout_ms', 'baiduStdIdleTimeoutMs'],
  ['h2_idle_timeout_ms', 'h2IdleTimeoutMs'],
  ['grpc_stream_body_timeout_ms', 'grpcStreamBodyTimeoutMs'],
  ['grpc_max_concurrent_streams', 'grpcMaxConcurrentStreams'],
];

const d = DEFAULT_CONNECTION_LIMITS;
export const CONNECTION_FLAGS: FlagSpecs = {
  sniff_timeout_ms: { kind: 'integer', help: 'a new connection must send its first 4 bytes within this, milliseconds, or it is closed', defaultText: String(d.sniffTimeoutMs) },
  http_header_timeout_ms: { kind: 'integer', help: 'HTTP/1.1: request line and headers must arrive within this of the first byte, milliseconds (408 and close otherwise; slow-header clients)', defaultText: String(d.httpHeaderTimeoutMs) },
  http_request_timeout_ms: { kind: 'integer', help: 'HTTP/1.1: the whole request, body included, must arrive within this, milliseconds (408 and close otherwise)', defaultText: String(d.httpRequestTimeoutMs) },
  http_keepalive_timeout_ms: { kind: 'integer', help: 'HTTP/1.1: an idle keep-alive connection is closed after this, milliseconds', defaultText: String(d.httpKeepAliveTimeoutMs) },
  baidu_std_frame_timeout_ms: { kind: 'integer', help: 'baidu_std: a frame, once its first byte arrived, must be complete within this, milliseconds, or the connection is closed', defaultText: String(d.baiduStdFrameTimeoutMs) },
  baidu_std_idle_timeout_ms: { kind: 'integer', help: 'baidu_std: a connection with nothing in flight and no bytes received for this long is closed, milliseconds', defaultText: String(d.baiduStdIdleTimeoutMs) },
  h2_idle_timeout_ms: { kind: 'integer', help: 'gRPC (h2c): a connection with no open stream for this long gets GOAWAY and is closed, milliseconds', defaultText: String(d.h2IdleTimeoutMs) },
  grpc_stream_body_timeout_ms: { kind: 'integer', help: 'gRPC: a call\'s request message must be complete (END_STREAM) within this of its headers, milliseconds; otherwise it fails with DEADLINE_EXCEEDED', defaultText: String(d.grpcStreamBodyTimeoutMs) },
  grpc_max_concurrent_streams: { kind: 'integer', help: 'gRPC: most streams open at once on one h2c connection (SETTINGS_MAX_CONCURRENT_STREAMS)', defaultText: String(d.grpcMaxConcurrentStreams) },
};

export function connectionLimitsFromFlags(flags: ParsedFlags, problems: string[]): ConnectionLimits {
  const limits: Record<string, number> = { ...DEFAULT_CONNECTION_LIMITS };
  for (const [flag, field] of FLAG_FIELDS) {
    const value = flags[flag];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 - 1) {
      problems.push(`--${flag} must be an integer in 1..${2 ** 31 - 1}; got ${String(value)}`);
      continue;
    }
    limits[field] = value;
  }
  if (limits.httpHeaderTimeoutMs > limits.httpRequestTimeoutMs) {
    problems.push(`--http_header_timeout_ms (${limits.httpHeaderTimeoutMs}) must not exceed --http_request_timeout_ms (${limits.httpRequestTimeoutMs}): the request timeout covers the headers too`);
  }
  return Object.freeze(limits as unknown as ConnectionLimits);
}
