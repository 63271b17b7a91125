/**
 * One TCP port for every protocol, as Paddle Serving has: a `net.Server` reads the first bytes
 * of each connection and hands it to gRPC (h2c, through grpc-js's connection injector), to an
 * HTTP/1.1 server, or to a baidu_std (`PRPC`) handler. Nothing else listens.
 *
 * Contract:
 * - `startOnePortServer` resolves once listening, with the bound port (0 picks a free one).
 * - The sniffed bytes are put back before the hand-off; a connection matching no protocol, or
 *   sending fewer than 4 bytes within `sniffTimeoutMs`, is closed. Past the sniff each protocol
 *   bounds its own connections (handler timeouts; h2c limits through `h2`).
 * - `security.tls`: a TLS ClientHello is decrypted (tls/tls-termination.ts) and the stream inside
 *   is sniffed like plaintext; `plaintext: 'refused'` answers plaintext with a refusal in its
 *   protocol. Without TLS configured a ClientHello is closed, logged.
 * - `security.auth`: every gRPC stream and HTTP request passes the token check first
 *   (auth/*-auth-gate.ts); refused baidu_std connections are closed, logged. Starting fails when
 *   the gRPC check cannot be installed.
 * - `announceStop(timeoutMs)` closes the listener and sends every h2c connection a GOAWAY that
 *   refuses no stream, resolving after a PING round trip on each (h2-session-guard.ts): clients
 *   then open no new streams on it, and none they already sent is refused.
 * - `stop(graceMs)` (announcing first, if not done) stops accepting and lets accepted requests on
 *   every protocol finish within `graceMs` (the final GOAWAY for gRPC, `Connection: close` for
 *   HTTP, per-connection counts in `ConnectionDrain`); idle connections close at once, the rest
 *   are destroyed after `graceMs`. New requests meanwhile are refused by the core: the caller runs
 *   `Predictor.beginShutdown()` between `announceStop` and `stop`.
 */
import * as grpc from '@grpc/grpc-js';
import type * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { RunningPortServer, ServiceRegistration } from './port-server-types';
import { ConnectionDrain, type RequestTracker } from './connection-drain';
import { guardHttp2Sessions } from './h2-session-guard';
import type { ServingError } from '../core/errors';
import { routeUnaryCallsFirst } from './grpc-fast-routes';
import type { UnaryHandler } from './grpc-unary-stream';
import { sniffProtocol, type SniffedProtocol } from './protocol-sniffer';
import type { PortSecurity } from './port-security';
import { gateGrpcStreams } from './auth/grpc-auth-gate';
import { gateHttpRequests } from './auth/http-auth-gate';
import { TLS_REQUIRED_MESSAGE, refusePlaintext } from './tls/plaintext-refusal';

export interface OnePortServerOptions {
  readonly host: string;
  readonly port: number;
  readonly services: readonly ServiceRegistration[];
  /**
   * Unary methods served straight on node:http2 ahead of grpc-js, by `:path` (grpc-fast-routes.ts);
   * they should also be registered in `services`, which serve them if the route cannot be installed.
   */
  readonly unaryRoutes?: ReadonlyMap<string, UnaryHandler>;
  /** Admission for the fast routes: asked with the call's path before its body is read (grpc-unary-stream.ts). */
  readonly refusal?: (path: string) => ServingError | undefined;
  /** Told whether the fast routes were installed (false: grpc-js serves every method). */
  readonly onUnaryRoutes?: (installed: boolean) => void;
  /** Largest gRPC message, bytes. */
  readonly maxMessageBytes: number;
  /** HTTP/1.1 connections go here (the server must not listen itself). */
  readonly http1: http.Server;
  /** baidu_std connections go here, with the tracker each accepted frame must `begin()` (graceful stop). */
  readonly prpc: (socket: Duplex, requests: RequestTracker) => void;
  /** How long a new connection may take to send its first 4 bytes, milliseconds; default 10000. */
  readonly sniffTimeoutMs?: number;
  /** h2c: gRPC limits per connection; defaults: idle 300000 ms, stream body 30000 ms, 1000 streams. */
  readonly h2?: { readonly idleTimeoutMs: number; readonly streamBodyTimeoutMs: number; readonly maxConcurrentStreams: number };
  /** Told whether the h2c session guards (idle, stream body, client resets) were installed. */
  readonly onH2Guards?: (installed: boolean) => void;
  /** TLS termination and bearer-token checks (port-security.ts); none: plaintext, open. */
  readonly security?: PortSecurity;
}

export async function startOnePortServer(options: OnePortServerOptions): Promise<RunningPortServer> {
  const h2 = options.h2 ?? { idleTimeoutMs: 300_000, streamBodyTimeoutMs: 30_000, maxConcurrentStreams: 1000 };
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
    'grpc.max_concurrent_streams': h2.maxConcurrentStreams,
  });
  for (const service of options.services) grpcServer.addService(service.definition, service.implementation);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const h2Guards = guardHttp2Sessions(grpcServer, { idleTimeoutMs: h2.idleTimeoutMs, streamBodyTimeoutMs: h2.streamBodyTimeoutMs });
  options.onH2Guards?.(h2Guards !== undefined);
  if (options.unaryRoutes !== undefined && options.unaryRoutes.size > 0) {
    options.onUnaryRoutes?.(routeUnaryCallsFirst(grpcServer, options.unaryRoutes, { maxMessageBytes: options.maxMessageBytes, ...(options.refusal === undefined ? {} : { refusal: options.refusal }) }));
  }
  const auth = options.security?.auth;
  if (auth !== undefined) {
    // Every gRPC stream passes the token check before the fast routes and grpc-js see it.
    if (!gateGrpcStreams(grpcServer, auth, options.security!.log)) {
      throw new Error('cannot check bearer tokens on gRPC calls: this grpc-js version does not expose its HTTP/2 server; refusing to serve with authentication configured');
    }
    // Installed before the drain's own listener below, which stays outermost.
    gateHttpRequests(options.http1, auth, options.security!.log);
  }
  const sockets = new Set<net.Socket>();
  const sniffTimeoutMs = options.sniffTimeoutMs ?? 10_000;
  const drain = new ConnectionDrain();
  // HTTP/1.1: count each request from its arrival until its response is written or abandoned.
  // Prepended, so it runs before the handler and can still mark the response `Connection: close`.
  const responses = new Set<http.ServerResponse>();
  options.http1.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const done = drain.trackerOf(req.socket)?.begin();
    if (drain.stopping) res.setHeader('Connection', 'close');
    responses.add(res);
    res.once('close', () => {
      responses.delete(res);
      done?.();
    });
  });

  const security = options.security;
  const log = security?.log;
  // Reads a connection's first bytes, puts them back, and says which protocol they start.
  const sniff = (socket: net.Socket, then: (protocol: SniffedProtocol) => void) => {
    let head: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), sniffTimeoutMs);
    const onData = (chunk: Buffer) => {
      head = head.byteLength === 0 ? chunk : Buffer.concat([head, chunk]);
      const protocol = sniffProtocol(head);
      if (protocol === 'need-more') return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.pause();
      if (protocol === 'unknown') {
        socket.destroy();
        return;
      }
      socket.unshift(head);
      then(protocol);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
  };
  // Hands a connection (plaintext, or the decrypted stream of a TLS one) to its protocol's handler.
  const dispatch = (socket: net.Socket, protocol: SniffedProtocol, encrypted: boolean) => {
    if (protocol === 'tls') {
      socket.destroy();
      return;
    }
    if (protocol === 'h2c') {
      injector.injectConnection(socket);
    } else if (protocol === 'http1') {
      drain.add(socket, 'http1');
      options.http1.emit('connection', socket);
      socket.resume();
    } else {
      const refusal = security?.auth?.baiduStdRefusal();
      if (refusal !== undefined) {
        log?.warn('baidu_std-auth', `baidu_std connection refused and closed: ${refusal}`, { peer: socket.remoteAddress, encrypted });
        socket.destroy();
        return;
      }
      options.prpc(socket, drain.add(socket, 'baidu_std'));
      socket.resume();
    }
  };
  const tlsTermination = security?.tls;
  tlsTermination?.onSecure((secure) => {
    sockets.add(secure);
    secure.once('close', () => sockets.delete(secure));
    sniff(secure, (protocol) => dispatch(secure, protocol, true));
  });

  const listener = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    sniff(socket, (protocol) => {
      if (protocol === 'tls') {
        if (tlsTermination === undefined) {
          log?.warn('tls-off', 'TLS connection refused: this port serves plaintext only (start with --tls_cert_file and --tls_key_file for TLS)', { peer: socket.remoteAddress });
          socket.destroy();
          return;
        }
        tlsTermination.accept(socket);
        return;
      }
      if (tlsTermination !== undefined && security?.plaintext === 'refused') {
        log?.warn(`tls-required-${protocol}`, `plaintext ${protocol} connection refused: ${TLS_REQUIRED_MESSAGE}`, { peer: socket.remoteAddress });
        refusePlaintext(socket, protocol);
        return;
      }
      dispatch(socket, protocol, false);
    });
  });

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => {
      listener.removeListener('error', reject);
      resolve();
    });
  });
  const address = listener.address() as net.AddressInfo;
  let announced: Promise<void> | undefined;
  const announceStop = async (timeoutMs: number): Promise<void> => {
    if (announced === undefined) {
      listener.close();
      // h2c: a first GOAWAY that refuses nothing and a PING round trip before grpc-js's final
      // GOAWAY, so no stream a client (or nginx) already sent is refused.
      announced = h2Guards?.announceGoaway() ?? Promise.resolve();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([announced, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  };

  return {
    server: grpcServer,
    port: address.port,
    announceStop,
    async stop(graceMs: number) {
      const started = Date.now();
      await announceStop(graceMs);
      // Responses not started yet tell their clients not to reuse the connection.
      for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
      drain.beginStop();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, graceMs - (Date.now() - started))); });
      const drained = Promise.all([
        new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve())),
        drain.whenIdle(),
      ]);
      await Promise.race([drained, expired]);
      clearTimeout(timer);
      grpcServer.forceShutdown();
      injector.destroy();
      for (const socket of sockets) socket.destroy();
      // Stops Node's HTTP header/request timeout checker (started by createPaddleHttpServer).
      options.http1.close(() => undefined);
    },
  };
}
