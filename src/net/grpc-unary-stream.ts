/**
 * One unary gRPC call served straight on a `node:http2` stream: the length-prefixed request
 * message in, the handler's bytes out, status in the trailers. This is the hot path of the
 * Predict and Paddle `inference` methods; everything else on the port stays with grpc-js.
 *
 * Contract (gRPC over HTTP/2, as grpc-js answers it):
 * - A content-type that is not `application/grpc[+proto]` gets HTTP 415, as grpc-js does.
 * - The request is one message: a compressed flag, a 4-byte big-endian length and the bytes;
 *   `grpc-encoding` identity, gzip or deflate (inflated with a cap of `maxMessageBytes`). A message
 *   over `maxMessageBytes` is refused with RESOURCE_EXHAUSTED before it is buffered; a truncated
 *   or extra message with INTERNAL, an unknown encoding with UNIMPLEMENTED.
 * - With `refusal` set, a request it refuses (stopping, load shedding, the concurrency cap) is
 *   answered with that error before its body is read.
 * - `grpc-timeout` becomes `UnaryCallContext.deadlineEpochMs`; the handler's `signal` aborts with
 *   DEADLINE_EXCEEDED when it passes and with CANCELLED when the client resets the stream. The
 *   signal is created only when the handler asks for it (no allocation on calls that never wait).
 * - The handler's bytes go out uncompressed with `grpc-status: 0`; a thrown ServingError goes out
 *   as its code and percent-encoded message (1 KB at most); anything else as INTERNAL
 *   "internal error" (the handler logs causes). Nothing is written to a stream that has closed.
 */
import * as http2 from 'node:http2';
import * as zlib from 'node:zlib';
import { Code, ServingError, cancelled, deadlineExceeded } from '../core/errors';
import type { PeerSource } from '../core/call-observer';
import type { CallLifetime } from '../core/call-lifetime';

export interface UnaryCallContext {
  /** When the client's deadline passes (ms since the epoch); Infinity when it set none. */
  readonly deadlineEpochMs: number;
  /** Aborts on deadline or client cancellation; created on first read. */
  readonly signal: AbortSignal;
  /** The client's address (read only by the access log). */
  readonly peer?: PeerSource;
  /** The deadline and cancellation without an AbortSignal (core/call-lifetime.ts); the batcher uses it instead of `signal`. */
  readonly lifetime?: CallLifetime;
}

/** Serves one decoded request message; resolves with the encoded response message. */
export type UnaryHandler = (message: Buffer, call: UnaryCallContext) => Promise<Uint8Array>;

export interface UnaryStreamOptions {
  readonly maxMessageBytes: number;
  /** Asked with the call's `:path` before its body is read: an error refuses it at once (admission); undefined serves it. */
  readonly refusal?: (path: string) => ServingError | undefined;
}

const {
  HTTP2_HEADER_STATUS, HTTP2_HEADER_CONTENT_TYPE,
} = http2.constants;

const RESPONSE_HEADERS = {
  [HTTP2_HEADER_STATUS]: 200,
  [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
};
const OK_TRAILERS = { 'grpc-status': '0' };

function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/grpc')
    && (contentType.length === 16 || contentType[16] === '+' || contentType[16] === ';');
}

/** Milliseconds in a `grpc-timeout` header value (`<1-8 digits><H|M|S|m|u|n>`); undefined when malformed. */
export function parseGrpcTimeoutMs(value: string): number | undefined {
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'H': return amount * 3_600_000;
    case 'M': return amount * 60_000;
    case 'S': return amount * 1000;
    case 'm': return amount;
    case 'u': return amount / 1000;
    default: return amount / 1e6;
  }
}

export function serveUnaryStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, handler: UnaryHandler, options: UnaryStreamOptions): void {
  if (!isGrpcContentType(headers[HTTP2_HEADER_CONTENT_TYPE] as string | undefined)) {
    stream.respond({ [HTTP2_HEADER_STATUS]: 415 }, { endStream: true });
    return;
  }
  const startedMs = Date.now();
  const timeout = headers['grpc-timeout'];
  const timeoutMs = typeof timeout === 'string' ? parseGrpcTimeoutMs(timeout) : undefined;
  const call = new StreamCall(stream, startedMs, timeoutMs === undefined ? Number.POSITIVE_INFINITY : startedMs + timeoutMs);
  const refused = options.refusal?.(headers[':path'] as string);
  if (refused !== undefined) {
    call.fail(refused);
    stream.on('error', () => undefined);
    return;
  }
  const encoding = (headers['grpc-encoding'] as string | undefined) ?? 'identity';
  const reader = new MessageReader(options.maxMessageBytes);
  stream.on('data', (chunk: Buffer) => {
    if (call.finished) return;
    const problem = reader.push(chunk);
    if (problem !== undefined) call.fail(problem);
  });
  stream.on('end', () => {
    if (call.finished) return;
    const message = reader.finish();
    if (message instanceof ServingError) {
      call.fail(message);
      return;
    }
    if (message.compressed) {
      inflate(message.bytes, encoding, options.maxMessageBytes).then(
        (bytes) => call.run(handler, bytes),
        (error: unknown) => call.fail(ServingError.from(error)),
      );
    } else {
      call.run(handler, message.bytes);
    }
  });
  stream.on('error', () => undefined);
  stream.on('close', () => call.closed());
}

class StreamCall implements UnaryCallContext, CallLifetime {
  finished = false;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private goneListener: ((reason: ServingError) => void) | undefined;

  constructor(private readonly stream: http2.ServerHttp2Stream, private readonly startedMs: number, readonly deadlineEpochMs: number) {}

  get peer(): PeerSource | undefined {
    return this.stream.session?.socket;
  }

  get lifetime(): CallLifetime {
    return this;
  }

  remainingMs(): number {
    return this.deadlineEpochMs - Date.now();
  }

  onClientGone(listener: ((reason: ServingError) => void) | undefined): void {
    this.goneListener = listener;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = (this.controller = new AbortController());
      if (this.stream.closed && !this.finished) controller.abort(cancelled('the client cancelled the call'));
      else if (Number.isFinite(this.deadlineEpochMs)) {
        const remaining = this.deadlineEpochMs - Date.now();
        if (remaining <= 0) this.expire();
        else this.timer = setTimeout(() => this.expire(), remaining);
      }
    }
    return this.controller.signal;
  }

  run(handler: UnaryHandler, message: Buffer): void {
    if (Date.now() >= this.deadlineEpochMs) {
      this.fail(deadlineExceeded('deadline expired before the request was read'));
      return;
    }
    let answer: Promise<Uint8Array>;
    try {
      answer = handler(message, this);
    } catch (error) {
      this.fail(ServingError.from(error));
      return;
    }
    answer.then((bytes) => this.succeed(bytes), (error: unknown) => this.fail(ServingError.from(error)));
  }

  closed(): void {
    if (!this.finished) {
      this.controller?.abort(cancelled('the client cancelled the call'));
      const listener = this.goneListener;
      this.goneListener = undefined;
      listener?.(cancelled('the client cancelled the call'));
    }
    this.finish();
  }

  succeed(bytes: Uint8Array): void {
    if (this.finish()) return;
    const stream = this.stream;
    const frame = Buffer.allocUnsafe(5 + bytes.byteLength);
    frame[0] = 0;
    frame.writeUInt32BE(bytes.byteLength, 1);
    frame.set(bytes, 5);
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    // 'wantTrailers' fires once per stream: one shared listener, no closure or once-wrapper per call.
    stream.on('wantTrailers', sendOkTrailers);
    stream.end(frame);
  }

  fail(error: ServingError): void {
    if (this.finish()) return;
    const { code, details } = error.toGrpcStatus();
    // Trailers-only response: the status rides in the one HEADERS frame.
    this.stream.respond({
      ...RESPONSE_HEADERS,
      'grpc-status': String(code),
      'grpc-message': percentEncodeGrpcMessage(details),
    }, { endStream: true });
  }

  private expire(): void {
    this.controller?.abort(deadlineExceeded(`deadline expired after ${Date.now() - this.startedMs} ms in the server`));
  }

  /** Marks the call answered; true when it already was or the stream is gone (then nothing is written). */
  private finish(): boolean {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.finished) return true;
    this.finished = true;
    return this.stream.closed || this.stream.destroyed;
  }
}

/** Collects one length-prefixed gRPC message, refusing it as soon as it is known to be too large. */
class MessageReader {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private expected = -1;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): ServingError | undefined {
    this.chunks.push(chunk);
    this.received += chunk.byteLength;
    if (this.expected < 0 && this.received >= 5) {
      const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, head);
      this.expected = head.readUInt32BE(1);
      if (this.expected > this.maxMessageBytes) {
        return new ServingError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (${this.expected} vs. ${this.maxMessageBytes})`);
      }
    }
    if (this.expected >= 0 && this.received > 5 + this.expected) {
      return new ServingError(Code.UNIMPLEMENTED, 'a unary method takes exactly one request message; got more');
    }
    return undefined;
  }

  finish(): { compressed: boolean; bytes: Buffer } | ServingError {
    if (this.expected < 0 || this.received !== 5 + this.expected) {
      return new ServingError(Code.INTERNAL, `request message truncated: got ${Math.max(0, this.received - 5)} of ${Math.max(0, this.expected)} bytes`);
    }
    const whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.received);
    return { compressed: whole[0] === 1, bytes: whole.subarray(5) };
  }
}

function inflate(bytes: Buffer, encoding: string, maxOutputLength: number): Promise<Buffer> {
  const options = { maxOutputLength: Math.max(1, maxOutputLength) };
  const done = (resolve: (b: Buffer) => void, reject: (e: unknown) => void) => (error: Error | null, out: Buffer) => {
    if (error === null) resolve(out);
    else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      reject(new ServingError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (inflated over ${maxOutputLength} bytes)`));
    } else reject(new ServingError(Code.INTERNAL, `cannot decompress the ${encoding} request message: ${error.message}`));
  };
  return new Promise((resolve, reject) => {
    if (encoding === 'gzip') zlib.gunzip(bytes, options, done(resolve, reject));
    else if (encoding === 'deflate') zlib.inflate(bytes, options, done(resolve, reject));
    else reject(new ServingError(Code.UNIMPLEMENTED, `grpc-encoding "${encoding}" is not supported; expected identity, gzip or deflate`));
  });
}

/** The gRPC spec's percent-encoding of `grpc-message`: UTF-8 bytes outside printable ASCII, and `%`. */
export function percentEncodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
