/**
 * HTTP/1.1 front end for Paddle's GeneralModelService, as Paddle's `HttpClient` and curl scripts
 * use it: `POST /GeneralModelService/inference` (or the full-name path, or `debug`).
 *
 * Contract:
 * - Body: a serialized Request for `application/proto`; JSON for `application/json` (`+json`), no
 *   type, or curl's `application/x-www-form-urlencoded`; 415 otherwise. gzip/deflate bodies are
 *   inflated; bodies over `maxBodyBytes` get 413.
 * - Success: 200 with the Response in the request's format, gzip-compressed when accepted.
 * - Errors: non-200 with a plain-text message (at most 1 KiB), status from `httpStatusOf()`.
 * - A client that goes away cancels its request (CANCELLED, logged at debug).
 * - `HttpTimeouts`: incomplete headers or requests get 408 and the connection closed; idle
 *   keep-alive connections close after `keepAliveTimeoutMs`. This server never listens (the port
 *   sniffer hands it connections), so `createPaddleHttpServer` starts Node's timeout timer itself.
 * - `POST /{name}/prediction` goes to paddle-web-service.ts; with `v2` set, `/v2/...` goes to the
 *   Open Inference Protocol REST handler. Inference requests are observed (metrics, protocol
 *   `paddle_http`) by `serveGeneralModelCall`; wrong paths and methods are not.
 */
import { NotifiedLifetime } from '../core/call-lifetime';
import { encodePaddleResponse } from '../paddle/service/paddle-response-encoder';
import { decodePaddleRequest } from '../paddle/service/paddle-request-decoder';
import { sendText } from '../net/http-response';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { HttpBodyError, readBody } from '../net/http-body';
import { Code, ServingError, cancelled, httpStatusOf, invalidArgument } from '../core/errors';
import type { Predictor } from '../core/predictor';
import type { CallObserver } from '../core/call-observer';
import type { Logger } from '../logging/logger';
import { serveGeneralModelCall } from '../paddle/service/general-model-inference';
import { WEB_SERVICE_PATH, handleWebServicePrediction } from './paddle-web-service';
import { formatPaddleJsonResponse, parsePaddleJsonRequest } from '../paddle/service/paddle-json';
import { PADDLE_METHODS, PADDLE_SERVICE_NAME, type PaddleRequest } from '../paddle/service/paddle-messages';

const gzip = promisify(zlib.gzip);

const PROTO_CONTENT_TYPE = 'application/proto';
/** Content types read as JSON besides application/json and +json: curl -d sends form-urlencoded. */
const JSON_ALIKE_CONTENT_TYPES: ReadonlySet<string> = new Set(['', 'application/json', 'application/x-www-form-urlencoded']);

/** Paths Paddle's clients post to. */
const PADDLE_HTTP_PATHS: ReadonlySet<string> = new Set(PADDLE_METHODS.flatMap((method) => [
  `/GeneralModelService/${method}`, `/${PADDLE_SERVICE_NAME}/${method}`,
]));

export interface HttpTimeouts {
  readonly headerTimeoutMs: number;
  /** At least `headerTimeoutMs`. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headerTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000 };

export interface PaddleHttpOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  /** Largest request body, bytes, before and after inflating (Paddle's --max_body_size). */
  readonly maxBodyBytes: number;
  /** Metrics observer (ServingOps.observe). */
  readonly observe?: CallObserver;
  /** Default DEFAULT_HTTP_TIMEOUTS. */
  readonly timeouts?: HttpTimeouts;
  /** Serves `/v2` and `/v2/...` (the Open Inference Protocol's REST API) when set. */
  readonly v2?: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;
}

/** An http.Server that never listens itself: connections are handed to it by the port sniffer. */
export function createPaddleHttpServer(options: PaddleHttpOptions): http.Server {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  if (timeouts.headerTimeoutMs > timeouts.requestTimeoutMs) {
    throw new RangeError(`the HTTP header timeout (${timeouts.headerTimeoutMs} ms) must not exceed the request timeout (${timeouts.requestTimeoutMs} ms)`);
  }
  const server = http.createServer({
    keepAlive: true,
    headersTimeout: timeouts.headerTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // How often Node checks the two timeouts above: a timeout fires within 1.25x its value.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeouts.headerTimeoutMs / 4))),
  }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.logger.error('HTTP handler failed', { cause: error });
      if (!res.headersSent) sendText(res, 500, 'internal error');
    });
  });
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  // Starts Node's header/request timeout checker (http.Server starts it on 'listening' only).
  server.emit('listening');
  return server;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: PaddleHttpOptions): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (options.v2 !== undefined && (path === '/v2' || path.startsWith('/v2/'))) return options.v2(req, res, path);
  const webService = PADDLE_HTTP_PATHS.has(path) ? null : WEB_SERVICE_PATH.exec(path);
  if (webService !== null) {
    await handleWebServicePrediction(req, res, webService[1], { predictor: options.predictor, observe: options.observe, readBody: (r) => readBody(r, options.maxBodyBytes, () => options.predictor.admission()) });
    return;
  }
  if (!PADDLE_HTTP_PATHS.has(path)) {
    req.resume();
    sendText(res, 404, `no such path "${path}"; POST to /GeneralModelService/inference, /${PADDLE_SERVICE_NAME}/inference or Paddle's WebService path /${options.predictor.model().name}/prediction`);
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('Allow', 'POST');
    sendText(res, 405, `method ${req.method} is not allowed on ${path}; use POST`);
    return;
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const isProto = contentType === PROTO_CONTENT_TYPE;
  const lifetime = new NotifiedLifetime();
  res.once('close', () => { if (!res.writableFinished) lifetime.clientGone(cancelled('the HTTP client closed the connection')); });
  try {
    const method = path.slice(path.lastIndexOf('/') + 1);
    const response = await serveGeneralModelCall(options.predictor, { protocol: 'paddle_http', method, lifetime, observe: options.observe, peer: req.socket }, async () => {
      if (!isProto && !JSON_ALIKE_CONTENT_TYPES.has(contentType) && !contentType.endsWith('+json')) {
        req.resume();
        throw new HttpBodyError(415, `Content-Type "${contentType}" is not supported; use application/json or ${PROTO_CONTENT_TYPE}`);
      }
      const body = await readBody(req, options.maxBodyBytes, () => options.predictor.admission());
      return isProto ? decodeProto(body) : parsePaddleJsonRequest(body.toString('utf8'));
    });
    const payload = isProto ? encodePaddleResponse(response) : Buffer.from(formatPaddleJsonResponse(response), 'utf8');
    const wantsGzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    res.statusCode = 200;
    res.setHeader('Content-Type', isProto ? PROTO_CONTENT_TYPE : 'application/json');
    if (wantsGzip) res.setHeader('Content-Encoding', 'gzip');
    const out = wantsGzip ? await gzip(payload) : payload;
    res.setHeader('Content-Length', out.byteLength);
    res.end(out);
  } catch (error) {
    const serving = error instanceof HttpBodyError ? error : ServingError.from(error);
    if (serving.code === Code.INTERNAL) options.logger.error('GeneralModelService over HTTP failed', { cause: serving.cause ?? error });
    if (serving.code === Code.CANCELLED) options.logger.debug('GeneralModelService over HTTP cancelled', { reason: serving.rawMessage });
    if (res.destroyed) return;
    sendText(res, error instanceof HttpBodyError ? error.status : httpStatusOf(serving.code), serving.toGrpcStatus().details);
  }
}

function decodeProto(body: Buffer): PaddleRequest {
  try {
    return decodePaddleRequest(body);
  } catch (error) {
    throw invalidArgument(`request body is not a serialized Paddle Request (Content-Type ${PROTO_CONTENT_TYPE}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

