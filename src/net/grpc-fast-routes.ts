/**
 * Puts rec-serving's own unary handlers (grpc-unary-stream.ts) in front of grpc-js on the HTTP/2
 * server behind grpc-js's connection injector: a stream whose `:path` has a route is served
 * directly on `node:http2`; every other stream (health, reflection, metadata, unknown methods)
 * goes to grpc-js's own handler unchanged. Sessions, keep-alive, GOAWAY on shutdown and the
 * connection-level settings stay grpc-js's.
 *
 * Contract: `routeUnaryCallsFirst` returns true when the routes are installed. grpc-js does not
 * expose its HTTP/2 server, so this reads the private `http2Servers` map of a grpc-js 1.x Server;
 * when that shape is not found it changes nothing and returns false, and every call is then
 * served by grpc-js (same answers, slower), which the caller logs.
 */
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { serveUnaryStream, type UnaryHandler, type UnaryStreamOptions } from './grpc-unary-stream';

type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => void;

export function routeUnaryCallsFirst(grpcServer: grpc.Server, routes: ReadonlyMap<string, UnaryHandler>, options: UnaryStreamOptions): boolean {
  const servers = (grpcServer as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    if (typeof server?.listeners !== 'function') return false;
  }
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    const grpcListeners = server.listeners('stream') as StreamListener[];
    server.removeAllListeners('stream');
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => {
      const handler = routes.get(headers[':path'] as string);
      if (handler !== undefined) {
        serveUnaryStream(stream, headers, handler, options);
        return;
      }
      for (const listener of grpcListeners) listener.call(server, stream, headers, flags);
    });
  }
  return true;
}
