/**
 * Bearer-token check for every gRPC call on the serving port, at the one place that sees every
 * HTTP/2 stream before it is served: the `stream` listeners of the HTTP/2 server behind grpc-js's
 * connection injector (rec-serving's fast routes, grpc-fast-routes.ts, and grpc-js's own handler
 * both sit behind it, whatever the method).
 *
 * Contract: `gateGrpcStreams(grpcServer, policy, log)` wraps those listeners and returns true;
 * it returns false, changing nothing, when the grpc-js server does not expose its HTTP/2 servers
 * (the caller must then refuse to start with authentication on, since calls would go unchecked).
 * Install it after `routeUnaryCallsFirst`, so it wraps the routes. A stream the policy refuses is
 * answered trailers-only with `grpc-status` 16 UNAUTHENTICATED (or 7 PERMISSION_DENIED) and the
 * policy's message, its request body discarded unread; no listener behind the gate sees it.
 */
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { Code } from '../../core/errors';
import type { ThrottledLog } from '../throttled-log';
import { percentEncodeGrpcMessage } from '../grpc-unary-stream';
import type { AuthPolicy } from './auth-policy';
import { classifyGrpcPath } from './call-classes';

type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => void;

export function gateGrpcStreams(grpcServer: grpc.Server, policy: AuthPolicy, log: ThrottledLog): boolean {
  const servers = (grpcServer as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    if (typeof server?.listeners !== 'function') return false;
  }
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    const inner = server.listeners('stream') as StreamListener[];
    server.removeAllListeners('stream');
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => {
      const path = String(headers[':path'] ?? '');
      const authorization = headers.authorization;
      const verdict = policy.check(classifyGrpcPath(path), Array.isArray(authorization) ? authorization.join(',') : authorization, `gRPC ${path}`);
      if (verdict.allowed) {
        for (const listener of inner) listener.call(server, stream, headers, flags);
        return;
      }
      log.warn('grpc-auth', 'gRPC call refused', { path, reason: verdict.message, peer: stream.session?.socket?.remoteAddress });
      refuse(stream, verdict.kind === 'permission_denied' ? Code.PERMISSION_DENIED : Code.UNAUTHENTICATED, verdict.message);
    });
  }
  return true;
}

function refuse(stream: http2.ServerHttp2Stream, code: Code, message: string): void {
  stream.resume();
  if (stream.closed || stream.destroyed || stream.headersSent) return;
  try {
    stream.respond({
      ':status': 200,
      'content-type': 'application/grpc+proto',
      'grpc-status': String(code),
      'grpc-message': percentEncodeGrpcMessage(message),
    }, { endStream: true });
  } catch {
    // The stream closed in between: nothing to answer.
  }
}
