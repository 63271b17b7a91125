/**
 * Unary gRPC calls over one `node:http2` session: the client side of the calls rec-client and
 * the client library make (Predict, Paddle's inference, GetModelMetadata). A unary call is one
 * HEADERS frame, one length-prefixed message and the status in the trailers; doing that directly
 * costs a fraction of the CPU of @grpc/grpc-js's client stack per call (`node
 * dist/benchmarks/client-stacks.js` measures both against the same server), which on a shared
 * host is CPU the server does not get.
 *
 * Contract:
 * - `GrpcUnaryChannel.connect(address, { security })` connects with TLS (ALPN h2) when
 *   `security.tls` is set and sends `security.authToken` as `authorization: Bearer` metadata.
 * - `GrpcUnaryChannel.connect(address)` accepts `host:port`, `[v6]:port`, `dns:host:port` and
 *   `dns:///host:port`; it connects lazily and reconnects on the next call after the session
 *   closed, failed or was told to go away (GOAWAY).
 * - `unary(path, message, { deadlineMs })` resolves with the response message bytes, or rejects
 *   with a ServingError: the server's `grpc-status` and percent-decoded `grpc-message`;
 *   DEADLINE_EXCEEDED when the deadline passes (the stream is reset, and `grpc-timeout` tells the
 *   server); UNAVAILABLE when no connection can be made or it drops mid-call (a stream the
 *   server refused unprocessed is sent again on a new session, up to 3 times); INTERNAL for a
 *   response that is not gRPC; RESOURCE_EXHAUSTED for a response over `maxMessageBytes`.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';
import { Code, ServingError } from '../core/errors';
import { bearerHeader, tlsConnectOptions, type ClientSecurity } from './client-security';
import { formatHostPort, singleEndpoint } from './connect-targets';

export interface UnaryChannelOptions {
  /** Largest response message accepted, bytes; default 512 MiB. */
  readonly maxMessageBytes?: number;
  /** TLS (ALPN h2) and a bearer token sent as `authorization` metadata on every call (client-security.ts). */
  readonly security?: ClientSecurity;
}

export interface UnaryCallOptions {
  /** Milliseconds from now; 0 or undefined: no deadline. */
  readonly deadlineMs?: number;
}

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;
/** How often a call the server refused unprocessed is sent again on a new session. */
const MAX_TRANSPARENT_RETRIES = 3;

export class GrpcUnaryChannel {
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;
  /** The last stream id the server will process, per session that received GOAWAY. */
  private readonly goawayLastStreamId = new WeakMap<http2.ClientHttp2Session, number>();
  /** A GOAWAY's error code and debug text (e.g. why the server refused the connection), per session. */
  private readonly goawayReason = new WeakMap<http2.ClientHttp2Session, string>();
  /** Calls in flight: the session keeps the process alive only while there are some. */
  private inFlight = 0;
  private readonly maxMessageBytes: number;
  private readonly security: ClientSecurity;

  private constructor(private readonly authority: string, options: UnaryChannelOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? 512 * 1024 * 1024;
    this.security = options.security ?? {};
  }

  static connect(address: string, options: UnaryChannelOptions = {}): GrpcUnaryChannel {
    return new GrpcUnaryChannel(authorityOf(address), options);
  }

  /** A session is connected and open (a call sent now goes out without waiting for a connection). */
  get isConnected(): boolean {
    const session = this.session;
    return session !== undefined && !session.connecting && !session.closed && !session.destroyed;
  }

  /** One connection attempt: resolves once connected, rejects with UNAVAILABLE on failure or after `timeoutMs`. */
  connect(timeoutMs: number): Promise<void> {
    return this.closed ? Promise.reject(new ServingError(Code.UNAVAILABLE, 'the channel is closed')) : this.connected(timeoutMs);
  }

  unary(path: string, message: Uint8Array, options: UnaryCallOptions = {}): Promise<Buffer> {
    const deadlineMs = options.deadlineMs ?? 0;
    return this.attempt(path, message, deadlineMs > 0 ? Date.now() + deadlineMs : 0, MAX_TRANSPARENT_RETRIES);
  }

  /**
   * One try. A stream the server never processed (REFUSED_STREAM, or above a GOAWAY's last stream
   * id) or that could not be opened on a closing session is sent again on a new session, as
   * gRPC's transparent retry does, at most MAX_TRANSPARENT_RETRIES times and within the deadline.
   */
  private attempt(path: string, message: Uint8Array, deadlineEpochMs: number, retries: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new ServingError(Code.UNAVAILABLE, 'the channel is closed'));
    const deadlineMs = deadlineEpochMs === 0 ? 0 : Math.max(1, deadlineEpochMs - Date.now());
    const session = this.currentSession();
    return new Promise<Buffer>((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      };
      if (deadlineMs > 0) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(deadlineMs))}m`;
      if (this.security.authToken !== undefined) headers.authorization = bearerHeader(this.security.authToken);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(headers);
      } catch (error) {
        // The session was already closing (GOAWAY): nothing was sent, so a new session may take it.
        this.drop(session);
        if (retries > 0) this.attempt(path, message, deadlineEpochMs, retries - 1).then(resolve, reject);
        else reject(unavailable(error));
        return;
      }
      const call = new UnaryResponse(this.maxMessageBytes);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      this.inFlight++;
      session.ref();
      const finish = (error: ServingError | undefined, bytes?: Buffer) => {
        if (settled) return;
        settled = true;
        if (--this.inFlight === 0 && !session.destroyed) session.unref();
        if (timer !== undefined) clearTimeout(timer);
        if (error !== undefined) reject(error);
        else resolve(bytes!);
      };
      if (deadlineMs > 0) {
        timer = setTimeout(() => {
          stream.close(NGHTTP2_CANCEL);
          finish(new ServingError(Code.DEADLINE_EXCEEDED, `deadline of ${deadlineMs} ms exceeded`));
        }, deadlineMs);
      }
      stream.on('response', (responseHeaders) => call.headers(responseHeaders));
      stream.on('data', (chunk: Buffer) => {
        const problem = call.data(chunk);
        if (problem !== undefined) {
          stream.close(NGHTTP2_CANCEL);
          finish(problem);
        }
      });
      stream.on('trailers', (trailers) => call.trailers(trailers));
      stream.on('error', (error) => call.streamError(error));
      stream.on('close', () => {
        // Never processed by the server: refused, above the GOAWAY's last stream id, or never sent
        // at all (no stream id: the session closed before the HEADERS frame went out).
        const refused = stream.rstCode === NGHTTP2_REFUSED_STREAM || stream.id === undefined || stream.id > (this.goawayLastStreamId.get(session) ?? Number.POSITIVE_INFINITY);
        if (!settled && retries > 0 && refused && call.unanswered && (deadlineEpochMs === 0 || Date.now() < deadlineEpochMs)) {
          this.drop(session);
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          if (--this.inFlight === 0 && !session.destroyed) session.unref();
          this.attempt(path, message, deadlineEpochMs, retries - 1).then(resolve, reject);
          return;
        }
        if (!settled && call.unanswered && deadlineEpochMs !== 0 && Date.now() >= deadlineEpochMs) {
          // The deadline passed before the stream ended unanswered: that, not the stream's end, is the outcome.
          finish(new ServingError(Code.DEADLINE_EXCEEDED, `deadline of ${deadlineMs} ms exceeded`));
          return;
        }
        call.outcome(stream.rstCode).then(
          (bytes) => finish(undefined, bytes),
          (error: ServingError) => {
            const reason = this.goawayReason.get(session);
            finish(error.code === Code.UNAVAILABLE && reason !== undefined ? new ServingError(Code.UNAVAILABLE, `${error.rawMessage}; ${reason}`, { cause: error }) : error);
          },
        );
      });
      const frame = Buffer.allocUnsafe(5 + message.byteLength);
      frame[0] = 0;
      frame.writeUInt32BE(message.byteLength, 1);
      frame.set(message, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private currentSession(): http2.ClientHttp2Session {
    const existing = this.session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const { host, port } = hostAndPort(this.authority);
    const tlsOptions = this.security.tls;
    const session = http2.connect(`${tlsOptions === undefined ? 'http' : 'https'}://${this.authority}`, {
      settings: { enablePush: false },
      createConnection: () => tlsOptions === undefined
        ? net.connect({ host, port, noDelay: true })
        : tls.connect(tlsConnectOptions(tlsOptions, host, port, ['h2'])).setNoDelay(true),
    });
    session.on('error', () => this.drop(session));
    session.on('goaway', (code: number, lastStreamId: number, opaqueData?: Buffer) => {
      if (code !== http2.constants.NGHTTP2_NO_ERROR) {
        const text = opaqueData === undefined ? '' : opaqueData.toString('utf8').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
        this.goawayReason.set(session, `the server closed the connection (HTTP/2 GOAWAY code ${code})${text === '' ? '' : `: ${text}`}`);
      }
      // Streams above lastStreamId were never processed: they may be sent again elsewhere.
      this.goawayLastStreamId.set(session, lastStreamId);
      this.drop(session);
    });
    session.on('close', () => this.drop(session));
    session.unref();
    this.session = session;
    return session;
  }

  private connected(timeoutMs: number): Promise<void> {
    const session = this.currentSession();
    if (!session.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        session.off('connect', ok);
        reject(unavailable(error));
      };
      const ok = () => {
        clearTimeout(timer);
        session.off('error', fail);
        resolve();
      };
      session.once('connect', ok);
      session.once('error', fail);
    });
  }

  /**
   * Stops sending new calls on `session`. It is not destroyed here: calls in flight on it finish
   * (after a GOAWAY the server still answers the streams it took), and Node destroys a closed
   * session once its last stream ends.
   */
  private drop(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }
}

/** Collects one unary response and turns it into the message or the call's ServingError. */
class UnaryResponse {
  private httpStatus = 0;
  private contentType: string | undefined;
  private encoding = 'identity';
  private status: number | undefined;
  private statusMessage = '';
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private error: Error | undefined;

  constructor(private readonly maxMessageBytes: number) {}

  /** No response headers and no status yet: the server never started answering. */
  get unanswered(): boolean {
    return this.httpStatus === 0 && this.status === undefined;
  }

  headers(headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader): void {
    this.httpStatus = Number(headers[':status'] ?? 0);
    this.contentType = headers['content-type'] as string | undefined;
    this.encoding = (headers['grpc-encoding'] as string | undefined) ?? 'identity';
    // Trailers-only responses carry the status in the one HEADERS frame.
    this.trailers(headers);
  }

  data(chunk: Buffer): ServingError | undefined {
    this.chunks.push(chunk);
    this.received += chunk.byteLength;
    if (this.received > 5 + this.maxMessageBytes) {
      return new ServingError(Code.RESOURCE_EXHAUSTED, `response larger than the client's limit of ${this.maxMessageBytes} bytes`);
    }
    return undefined;
  }

  trailers(trailers: http2.IncomingHttpHeaders): void {
    const status = trailers['grpc-status'];
    if (status === undefined) return;
    this.status = Number(status);
    this.statusMessage = percentDecode(String(trailers['grpc-message'] ?? ''));
  }

  streamError(error: Error): void {
    this.error = error;
  }

  async outcome(rstCode: number): Promise<Buffer> {
    if (this.status === undefined) {
      if (this.httpStatus !== 0 && this.httpStatus !== 200) {
        throw new ServingError(httpStatusToCode(this.httpStatus), `the server answered HTTP ${this.httpStatus} without a gRPC status`);
      }
      const why = this.error?.message ?? (rstCode !== 0 ? `stream reset with code ${rstCode}` : 'the connection closed before the call completed');
      throw new ServingError(Code.UNAVAILABLE, this.httpStatus === 0 ? `No connection established: ${why}` : why);
    }
    if (this.status !== Code.OK) throw new ServingError(this.status as Code, this.statusMessage);
    if (this.contentType !== undefined && !this.contentType.startsWith('application/grpc')) {
      throw new ServingError(Code.INTERNAL, `the response has content-type "${this.contentType}", not application/grpc`);
    }
    const whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.received);
    if (whole.byteLength < 5 || whole.readUInt32BE(1) !== whole.byteLength - 5) {
      throw new ServingError(Code.INTERNAL, `the response is not one length-prefixed gRPC message (${whole.byteLength} bytes)`);
    }
    const body = whole.subarray(5);
    if (whole[0] === 0) return body;
    if (this.encoding === 'gzip') return zlib.gunzipSync(body, { maxOutputLength: this.maxMessageBytes });
    if (this.encoding === 'deflate') return zlib.inflateSync(body, { maxOutputLength: this.maxMessageBytes });
    throw new ServingError(Code.INTERNAL, `the response is compressed with "${this.encoding}", which this client does not read`);
  }
}

function authorityOf(address: string): string {
  try {
    const { host, port } = singleEndpoint(address);
    return formatHostPort(host, port);
  } catch (error) {
    throw new Error(`cannot use "${address}" as a gRPC address: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function hostAndPort(authority: string): { host: string; port: number } {
  const colon = authority.lastIndexOf(':');
  return { host: authority.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(authority.slice(colon + 1)) };
}

function unavailable(error: unknown): ServingError {
  const message = error instanceof Error ? error.message : String(error);
  return new ServingError(Code.UNAVAILABLE, `No connection established: ${message}`, { cause: error });
}

function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** As the gRPC spec maps HTTP statuses of responses without grpc-status. */
function httpStatusToCode(status: number): Code {
  switch (status) {
    case 400: return Code.INTERNAL;
    case 401: return Code.UNAUTHENTICATED;
    case 403: return Code.PERMISSION_DENIED;
    case 404: return Code.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return Code.UNAVAILABLE;
    default: return Code.UNKNOWN;
  }
}
