/**
 * `--client_mode rpc`: brpc's baidu_std protocol, as Paddle's compiled `Client` speaks it
 * (`rec_client.py --client_mode=rpc`): one TCP connection, PRPC frames, requests matched to
 * answers by `correlation_id`.
 *
 * Contract: a non-zero `error_code` in the response meta rejects with a ServingError carrying the
 * server's `error_text` (code read back from the brpc errno); a broken connection rejects every
 * pending call with UNAVAILABLE, and the next call reconnects.
 */
import { singleEndpoint } from './connect-targets';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { tlsConnectOptions } from './client-security';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import { BrpcErrno, CompressType } from '../paddle/brpc/brpc-codes';
import { PrpcFrameReader, encodePrpcFrame } from '../paddle/brpc/prpc-frame';
import { PADDLE_SERVICE_NAME, decodePaddleResponse, decodeRpcMeta, encodeRpcMeta } from '../paddle/service/paddle-messages';
import { writePaddleRequest } from '../paddle/service/paddle-request-writer';
import { readPaddleResponse } from './paddle-wire-codec';
import type { PredictionTransport, TransportResult } from './prediction-transport';
import type { TransportOptions } from './transport-options';

interface Pending {
  resolve(body: Buffer): void;
  reject(error: ServingError): void;
}

function codeOfBrpcErrno(errno: number): Code {
  switch (errno) {
    case BrpcErrno.ENOSERVICE: case BrpcErrno.ENOMETHOD: return Code.UNIMPLEMENTED;
    case BrpcErrno.EREQUEST: return Code.INVALID_ARGUMENT;
    case BrpcErrno.ERPCTIMEDOUT: return Code.DEADLINE_EXCEEDED;
    case BrpcErrno.ELIMIT: return Code.RESOURCE_EXHAUSTED;
    case BrpcErrno.ELOGOFF: return Code.UNAVAILABLE;
    case BrpcErrno.ECANCELED: return Code.CANCELLED;
    default: return Code.INTERNAL;
  }
}

export function createPaddleRpcTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  if (options.security?.authToken !== undefined) {
    throw new Error('baidu_std (--client_mode rpc) cannot carry a bearer token: use --client_mode grpc, paddle-grpc or http with a token, or drop the token (the server refuses baidu_std when it requires one, unless started with --allow_unauthenticated_baidu_std)');
  }
  const tlsOptions = options.security?.tls;
  const { host, port } = singleEndpoint(address);
  const pending = new Map<number, Pending>();
  let socket: net.Socket | undefined;
  let nextCorrelationId = 1;

  const failAll = (error: ServingError) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  const connect = (): net.Socket => {
    if (socket !== undefined && !socket.destroyed) return socket;
    const reader = new PrpcFrameReader(512 * 1024 * 1024);
    const s = tlsOptions === undefined ? net.connect({ host, port, noDelay: true }) : tls.connect(tlsConnectOptions(tlsOptions, host, port)).setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) {
          const meta = decodeRpcMeta(frame.meta);
          const call = pending.get(meta.correlation_id ?? -1);
          if (call === undefined) continue;
          pending.delete(meta.correlation_id!);
          const errno = meta.response?.error_code ?? 0;
          if (errno !== 0) call.reject(new ServingError(codeOfBrpcErrno(errno), meta.response?.error_text ?? `brpc error ${errno}`));
          else call.resolve(frame.body.subarray(0, frame.body.byteLength - (meta.attachment_size ?? 0)));
        }
      } catch (error) {
        s.destroy();
        failAll(new ServingError(Code.INTERNAL, `malformed answer from ${address}: ${String(error)}`));
      }
    });
    s.on('error', (error) => failAll(new ServingError(Code.UNAVAILABLE, `baidu_std connection to ${address} failed: ${error.message}`)));
    s.on('close', () => failAll(new ServingError(Code.UNAVAILABLE, `baidu_std connection to ${address} closed`)));
    socket = s;
    return s;
  };

  return {
    mode: 'rpc',
    async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const started = performance.now();
      const payload = writePaddleRequest(feed, fetch, requestId, options.signature);
      const correlationId = nextCorrelationId++;
      const meta = encodeRpcMeta({
        request: { service_name: PADDLE_SERVICE_NAME, method_name: 'inference', log_id: requestId },
        correlation_id: correlationId,
        compress_type: CompressType.NONE,
      });
      const body = await new Promise<Buffer>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const settle = { resolve: (b: Buffer) => { clearTimeout(timer); resolve(b); }, reject: (e: ServingError) => { clearTimeout(timer); reject(e); } };
        pending.set(correlationId, settle);
        if (deadlineMs > 0) {
          timer = setTimeout(() => {
            pending.delete(correlationId);
            reject(new ServingError(Code.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms`));
          }, deadlineMs);
        }
        connect().write(encodePrpcFrame(meta, payload));
      });
      try {
        const result = readPaddleResponse(decodePaddleResponse(body));
        return { outputs: result.outputs, serverMicros: result.serverMicros, clientMicros: (performance.now() - started) * 1000 };
      } catch (error) {
        throw new ServingError(Code.INTERNAL, `cannot decode the server's Response: ${String(error)}`, { cause: error });
      }
    },
    close() {
      socket?.destroy();
    },
  };
}
