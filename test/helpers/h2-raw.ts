/**
 * Raw HTTP/2 gRPC calls for tests that need control below grpc-js: several calls on one chosen
 * session, streams reset by the client, streams left without a body. Not a client: no retries,
 * one length-prefixed message per call, status read from the trailers (or trailers-only headers).
 */
import * as http2 from 'node:http2';

export interface RawGrpcAnswer {
  /** grpc-status, or -1 when the stream closed without one (reset, GOAWAY). */
  readonly status: number;
  readonly message: string;
  readonly body: Buffer;
  /** RST_STREAM code seen by the client (0 when none). */
  readonly rstCode: number;
}

/** The 5-byte gRPC prefix and the message. */
export function grpcMessage(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.byteLength, 1);
  return Buffer.concat([head, payload]);
}

export function grpcHeaders(path: string, extra: Record<string, string> = {}): http2.OutgoingHttpHeaders {
  return { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra };
}

/** Waits for the end of a stream and reads its status. */
export function readAnswer(stream: http2.ClientHttp2Stream): Promise<RawGrpcAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status = -1;
    let message = '';
    const take = (headers: http2.IncomingHttpHeaders) => {
      if (headers['grpc-status'] !== undefined) {
        status = Number(headers['grpc-status']);
        message = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      }
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('close', () => resolve({ status, message, body: Buffer.concat(chunks), rstCode: stream.rstCode ?? 0 }));
  });
}

/** One unary call on `session`. */
export function rawUnary(session: http2.ClientHttp2Session, path: string, payload: Uint8Array, extra: Record<string, string> = {}): Promise<RawGrpcAnswer> {
  const stream = session.request(grpcHeaders(path, extra));
  const answer = readAnswer(stream);
  stream.end(grpcMessage(payload));
  return answer;
}

export function connectH2(target: string, options: http2.ClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${target}`, options);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}
