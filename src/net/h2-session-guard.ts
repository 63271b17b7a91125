/**
 * Per-connection guards on the HTTP/2 server behind grpc-js's connection injector, for every
 * stream (rec-serving's own routes and grpc-js's alike):
 * - idle: a session with no open stream for `idleTimeoutMs` is closed gracefully (GOAWAY NO_ERROR);
 * - request body: a stream whose request has not ended `streamBodyTimeoutMs` after its headers is
 *   answered DEADLINE_EXCEEDED (trailers-only, when nothing was sent yet) and reset (checked by
 *   one sweep per session, every min(1 s, timeout / 4): no timer per stream);
 * - client resets: nghttp2 (Node 20) answers more than `resetBurst` RST_STREAMs, refilled at
 *   `resetRatePerSec`, with GOAWAY INTERNAL_ERROR, which makes a Node or grpc-js client fail every
 *   call in flight on that connection. Cancelled calls are normal traffic, so this guard counts the
 *   client's resets with the same token bucket and, before it runs dry, closes the session
 *   gracefully, as gRPC servers do: GOAWAY NO_ERROR with the largest stream id (no new streams,
 *   none refused), then after a PING round trip the final GOAWAY; calls in flight finish, new
 *   ones go to a new connection.
 *   A reset that arrives after the server closed its side is invisible here, so a stream counts
 *   as reset when it closed with an RST_STREAM code or lasted, within `DEADLINE_SLACK_MS`, as
 *   long as its `grpc-timeout` (the client then resets it as its deadline passes).
 *
 * - shutdown: `announceGoaway()` sends every open session the first GOAWAY of such a close (NO_ERROR,
 *   largest stream id) and resolves after a PING round trip on each, once clients have stopped
 *   opening streams; the caller then closes the sessions (grpc-js's tryShutdown: the final GOAWAY,
 *   waiting for their streams), so a client or proxy (nginx's grpc_pass) never has a stream it
 *   already sent refused by the final GOAWAY. It leaves the sessions open: grpc-js counts a
 *   closing session as already closed and would not wait for its streams.
 *
 * Contract: `guardHttp2Sessions(server, options)` returns undefined, changing nothing, when the
 * grpc-js server does not expose its HTTP/2 servers (private `http2Servers`, as
 * grpc-fast-routes.ts reads it); call it after `createConnectionInjector`.
 */
import type * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import { parseGrpcTimeoutMs, percentEncodeGrpcMessage } from './grpc-unary-stream';

export interface H2SessionGuardOptions {
  readonly idleTimeoutMs: number;
  readonly streamBodyTimeoutMs: number;
  /** nghttp2's stream reset burst (1000 in Node 20) and refill per second (33). */
  readonly resetBurst?: number;
  readonly resetRatePerSec?: number;
}

/** nghttp2 1.57+'s defaults (nghttp2_option_set_stream_reset_rate_limit), not settable on Node 20. */
const NGHTTP2_STREAM_RESET_BURST = 1000;
const NGHTTP2_STREAM_RESET_RATE_PER_SEC = 33;
/** Resets left in the bucket when the guard closes the session: room for the streams already sent. */
const RESET_HEADROOM = 200;
/** The first GOAWAY of a rotation names the largest stream id: it refuses no stream. */
const MAX_STREAM_ID = 2 ** 31 - 1;
/** The final GOAWAY follows the PING ACK, or this long after the first when none comes. */
const ROTATE_FALLBACK_MS = 1000;
/** A stream that lasted its grpc-timeout less this may have been reset by the client. */
const DEADLINE_SLACK_MS = 20;

export interface H2SessionGuards {
  /** First GOAWAY (refusing nothing) to every open session; resolves after a PING round trip on each. */
  announceGoaway(): Promise<void>;
}

export function guardHttp2Sessions(grpcServer: grpc.Server, options: H2SessionGuardOptions): H2SessionGuards | undefined {
  const servers = (grpcServer as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return undefined;
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    if (typeof server?.on !== 'function') return undefined;
  }
  /** Per open session: its GOAWAY announcement. */
  const announcers = new Map<http2.ServerHttp2Session, () => Promise<void>>();
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    server.on('session', (session: http2.ServerHttp2Session) => {
      announcers.set(session, guardSession(session, options));
      session.once('close', () => announcers.delete(session));
    });
  }
  return {
    announceGoaway: async () => {
      await Promise.all([...announcers.values()].map((announce) => announce()));
    },
  };
}

/** Guards one session; returns its GOAWAY announcement (the first half of a graceful close). */
function guardSession(session: http2.ServerHttp2Session, options: H2SessionGuardOptions): () => Promise<void> {
  const burst = options.resetBurst ?? NGHTTP2_STREAM_RESET_BURST;
  const ratePerSec = options.resetRatePerSec ?? NGHTTP2_STREAM_RESET_RATE_PER_SEC;
  const bodyTimeoutMs = options.streamBodyTimeoutMs;
  let tokens = burst;
  let refilledAtMs = Date.now();
  /** Open streams by opening time (insertion order = age order). */
  const open = new Map<http2.ServerHttp2Stream, number>();
  const closeGracefully = () => {
    if (!session.closed && !session.destroyed) session.close();
  };
  let announcement: Promise<void> | undefined;
  /** GOAWAY refusing nothing, then a PING: resolves on its ACK (or after ROTATE_FALLBACK_MS). */
  const announce = (): Promise<void> => {
    if (announcement !== undefined) return announcement;
    if (session.closed || session.destroyed) return Promise.resolve();
    announcement = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(fallback);
        resolve();
      };
      session.goaway(http2.constants.NGHTTP2_NO_ERROR, MAX_STREAM_ID);
      // Streams the client opened before it saw that GOAWAY arrive before its PING ACK.
      const fallback = setTimeout(finish, ROTATE_FALLBACK_MS);
      fallback.unref();
      let pinged = false;
      try {
        pinged = session.ping(finish);
      } catch {
        // Too many unacknowledged PINGs or the session is closing: no round trip to wait for.
      }
      if (!pinged) finish();
    });
    return announcement;
  };
  const rotate = () => {
    void announce().then(closeGracefully);
  };
  // Fires idleTimeoutMs after the last stream closed (or the session opened); re-armed while streams are open.
  const idle = setTimeout(() => {
    if (open.size > 0) idle.refresh();
    else closeGracefully();
  }, options.idleTimeoutMs);
  idle.unref();
  // One sweep per session instead of a timer per stream: the oldest streams come first.
  const sweep = setInterval(() => {
    const tooOld = Date.now() - bodyTimeoutMs;
    for (const [stream, openedAtMs] of open) {
      if (openedAtMs > tooOld) break;
      if (!stream.readableEnded) timeOutBody(stream, bodyTimeoutMs);
    }
  }, Math.max(10, Math.min(1000, Math.floor(bodyTimeoutMs / 4))));
  sweep.unref();
  session.once('close', () => {
    clearTimeout(idle);
    clearInterval(sweep);
  });
  session.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    open.set(stream, Date.now());
    stream.once('close', () => {
      const nowMs = Date.now();
      const elapsedMs = nowMs - (open.get(stream) ?? nowMs);
      open.delete(stream);
      if (open.size === 0) idle.refresh();
      if (!wasReset(stream, headers, elapsedMs)) return;
      tokens = Math.min(burst, tokens + ((nowMs - refilledAtMs) / 1000) * ratePerSec);
      refilledAtMs = nowMs;
      tokens -= 1;
      if (tokens < Math.min(RESET_HEADROOM, burst / 2)) rotate();
    });
  });
  return announce;
}

/** Closed by an RST_STREAM, or open for its whole grpc-timeout (the client then resets it). */
function wasReset(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, elapsedMs: number): boolean {
  if (stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) return true;
  const timeout = headers['grpc-timeout'];
  if (typeof timeout !== 'string') return false;
  const deadlineMs = parseGrpcTimeoutMs(timeout);
  return deadlineMs !== undefined && elapsedMs + DEADLINE_SLACK_MS >= deadlineMs;
}

function timeOutBody(stream: http2.ServerHttp2Stream, timeoutMs: number): void {
  if (stream.closed || stream.destroyed) return;
  // stream.close() emits 'close' later: the sweep may see this stream again meanwhile.
  if (!stream.headersSent) {
    try {
      stream.respond({
        ':status': 200,
        'content-type': 'application/grpc+proto',
        'grpc-status': '4',
        'grpc-message': percentEncodeGrpcMessage(`the request message was not complete ${timeoutMs} ms after the call's headers (--grpc_stream_body_timeout_ms)`),
      }, { endStream: true });
    } catch {
      // The stream closed in between: nothing to answer.
    }
  }
  stream.close(http2.constants.NGHTTP2_NO_ERROR);
}
