/**
 * Serves Paddle's GeneralModelService over brpc's `baidu_std` protocol on one connection, as
 * Paddle's compiled `Client` (`rec_client.py --client_mode=rpc`) speaks it.
 *
 * Contract:
 * - Each request frame is answered with a frame carrying the same `correlation_id` and
 *   `compress_type`; requests on one connection may run concurrently, answers go out as they finish.
 * - Payload compression: none, gzip and zlib, inflated up to `maxBodyBytes` (payload-compression.ts);
 *   snappy and bigger payloads are refused in the response meta.
 * - Each request has its own CallLifetime (core/call-lifetime.ts), told (CANCELLED) when the connection closes before
 *   its answer; a settled request holds no listener on the connection.
 * - A request the core refuses on arrival (`Predictor.admission`: stopping, load shedding,
 *   --max_concurrency) is answered as soon as its meta is in, and its payload is discarded unread.
 * - Failures go in `RpcResponseMeta` (`error_code` a brpc errno, `error_text` the message):
 *   unknown service/method, an undecodable Request, and every ServingError from the core.
 * - A malformed frame or meta (the byte stream can no longer be trusted) closes this connection
 *   only; so does a frame not complete `frameTimeoutMs` after its first byte, and `idleTimeoutMs`
 *   with no request in flight and no byte received. Successful answers carry `response { error_code: 0 }`, as brpc writes it.
 * - With a `RequestTracker` (the one-port server's), each frame counts as in flight from its
 *   arrival until its answer is written, so a graceful stop waits for it; every call is observed
 *   (metrics, protocol `baidu_std`) by `serveGeneralModelCall`.
 */
import { NotifiedLifetime } from '../../core/call-lifetime';
import { encodePaddleResponse } from '../service/paddle-response-encoder';
import { decodePaddleRequest } from '../service/paddle-request-decoder';
import type { PeerSource } from '../../core/call-observer';
import type { Duplex } from 'node:stream';
import { Code, ServingError, invalidArgument } from '../../core/errors';
import type { Predictor } from '../../core/predictor';
import type { CallObserver } from '../../core/call-observer';
import type { Logger } from '../../logging/logger';
import type { RequestTracker } from '../../net/connection-drain';
import { serveGeneralModelCall } from '../service/general-model-inference';
import {
  PADDLE_METHODS, PADDLE_SERVICE_NAME, type RpcMeta, decodeRpcMeta, encodeRpcMeta,
} from '../service/paddle-messages';
import { BrpcErrno, CompressType, brpcErrnoOf } from './brpc-codes';
import { compressPayload, decompressPayload } from './payload-compression';
import { PrpcFrameError, PrpcFrameReader, encodePrpcFrame, type PrpcFrame } from './prpc-frame';

const SERVICE_NAMES = new Set([PADDLE_SERVICE_NAME, 'GeneralModelService']);

export interface BaiduStdOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  /** Largest frame body and largest inflated payload, bytes (Paddle's --max_body_size). */
  readonly maxBodyBytes: number;
  /** Metrics observer (ServingOps.observe). */
  readonly observe?: CallObserver;
  /** A frame must be complete within this of its first byte, milliseconds. Default 30000. */
  readonly frameTimeoutMs?: number;
  /** Nothing in flight and nothing received for this long closes the connection, milliseconds. Default 300000. */
  readonly idleTimeoutMs?: number;
}

/** Takes over `socket` (already positioned at its first frame) until it closes. */
export function serveBaiduStd(socket: Duplex, options: BaiduStdOptions, requests?: RequestTracker): void {
  // Stopping, load shedding and --max_concurrency are asked once a frame's meta is in: a refused
  // frame is answered at once and its payload discarded as it arrives, never buffered.
  const reader = new PrpcFrameReader<ServingError>(options.maxBodyBytes, () => options.predictor.admission());
  // One lifetime per unanswered request, told when the connection closes.
  const unanswered = new Set<NotifiedLifetime>();
  const frameTimeoutMs = options.frameTimeoutMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  let frameTimer: NodeJS.Timeout | undefined;
  const idleTimer = setTimeout(function closeIfIdle() {
    if (unanswered.size > 0) {
      idleTimer.refresh();
      return;
    }
    options.logger.debug('closing a baidu_std connection: idle', { idleTimeoutMs });
    socket.destroy();
  }, idleTimeoutMs);
  idleTimer.unref();
  socket.on('data', (chunk: Buffer) => {
    idleTimer.refresh();
    let frames: Array<PrpcFrame<ServingError>>;
    try {
      frames = reader.push(chunk);
    } catch (error) {
      options.logger.warn('closing a baidu_std connection: malformed frame', { reason: error instanceof PrpcFrameError ? error.message : String(error) });
      socket.destroy();
      return;
    }
    // The frame timer runs from the first byte of each frame until that frame is complete.
    if (frames.length > 0 || reader.partialFrameBytes === 0) {
      clearTimeout(frameTimer);
      frameTimer = undefined;
    }
    if (reader.partialFrameBytes > 0 && frameTimer === undefined) {
      frameTimer = setTimeout(() => {
        options.logger.warn('closing a baidu_std connection: frame not complete in time', { frameTimeoutMs, receivedBytes: reader.partialFrameBytes });
        socket.destroy();
      }, frameTimeoutMs);
      frameTimer.unref();
    }
    for (const frame of frames) {
      let meta: RpcMeta;
      try {
        meta = decodeRpcMeta(frame.meta);
      } catch (error) {
        options.logger.warn('closing a baidu_std connection: undecodable RpcMeta', { reason: String(error) });
        socket.destroy();
        return;
      }
      const done = requests?.begin();
      const lifetime = new NotifiedLifetime();
      unanswered.add(lifetime);
      answer(meta, frame, options, lifetime, socket as PeerSource).then(
        (out) => {
          unanswered.delete(lifetime);
          idleTimer.refresh();
          if (socket.writable) socket.write(out);
          done?.();
        },
        (error: unknown) => {
          unanswered.delete(lifetime);
          idleTimer.refresh();
          options.logger.error('baidu_std answer failed', { cause: error });
          done?.();
        },
      );
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    clearTimeout(frameTimer);
    clearTimeout(idleTimer);
    const reason = new ServingError(Code.CANCELLED, 'the baidu_std client closed the connection');
    for (const lifetime of unanswered) lifetime.clientGone(reason);
    unanswered.clear();
  });
}

async function answer(meta: RpcMeta, frame: PrpcFrame<ServingError>, options: BaiduStdOptions, lifetime: NotifiedLifetime, peer: PeerSource): Promise<Buffer> {
  const body = frame.body;
  const compressType = meta.compress_type ?? CompressType.NONE;
  const reply = (payload: Uint8Array, errorCode = 0, errorText?: string) => encodePrpcFrame(encodeRpcMeta({
    response: errorText === undefined ? { error_code: errorCode } : { error_code: errorCode, error_text: errorText },
    correlation_id: meta.correlation_id ?? 0,
    compress_type: errorCode === 0 ? compressType : CompressType.NONE,
  }), payload);
  const service = meta.request?.service_name ?? '';
  const method = meta.request?.method_name ?? '';
  if (meta.request === undefined) return reply(new Uint8Array(0), BrpcErrno.EREQUEST, 'RpcMeta has no request part');
  if (!SERVICE_NAMES.has(service)) return reply(new Uint8Array(0), BrpcErrno.ENOSERVICE, `unknown service "${service}"; this server has ${PADDLE_SERVICE_NAME}`);
  if (!(PADDLE_METHODS as readonly string[]).includes(method)) return reply(new Uint8Array(0), BrpcErrno.ENOMETHOD, `unknown method "${method}" of ${PADDLE_SERVICE_NAME}; it has ${PADDLE_METHODS.join(', ')}`);
  try {
    const response = await serveGeneralModelCall(options.predictor, { protocol: 'baidu_std', method, lifetime, observe: options.observe, peer }, async () => {
      if (frame.refused !== undefined) throw frame.refused;
      const attachment = meta.attachment_size ?? 0;
      if (attachment < 0 || attachment > body.byteLength) throw invalidArgument(`attachment_size ${attachment} is larger than the ${body.byteLength}-byte body`);
      const payload = await decompressPayload(body.subarray(0, body.byteLength - attachment), compressType, options.maxBodyBytes);
      try {
        return decodePaddleRequest(payload);
      } catch (error) {
        throw invalidArgument(`payload is not a serialized Paddle Request: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return reply(await compressPayload(encodePaddleResponse(response), compressType));
  } catch (error) {
    const serving = ServingError.from(error);
    if (serving.code === Code.INTERNAL) options.logger.error('GeneralModelService over baidu_std failed', { cause: serving.cause ?? error });
    return reply(new Uint8Array(0), brpcErrnoOf(serving.code), serving.toGrpcStatus().details);
  }
}
