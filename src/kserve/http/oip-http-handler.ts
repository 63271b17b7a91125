/**
 * The Open Inference Protocol's REST API (KServe V2, with Triton's extensions) on the server's
 * HTTP/1.1 front end (http/paddle-http-handler.ts hands every `/v2` and `/v2/...` request here):
 *
 *   GET  /v2                                          server metadata
 *   GET  /v2/health/live, /v2/health/ready            200 {"live"|"ready": true}, else 400
 *   GET  /v2/models/{m}[/versions/{v}]                model metadata
 *   GET  /v2/models/{m}[/versions/{v}]/ready          200 {"name","ready": true}, else 400
 *   GET  /v2/models/{m}[/versions/{v}]/config         Triton's model configuration
 *   GET  /v2/models[/{m}[/versions/{v}]]/stats        Triton's statistics (all models without {m})
 *   POST /v2/models/{m}[/versions/{v}]/infer          inference (JSON and binary tensor data)
 *   POST /v2/repository/index (GET too)               repository index
 *   POST /v2/repository/models/{m}/load | /unload     explicit model control
 *
 * Contract: thin. Answers are JSON; errors are `{"error": "..."}` with the status `httpStatusOf`
 * gives the ServingError's code (400 bad request / not ready / model control off, 404 unknown
 * path, model or version, 405 wrong method with `Allow`, 413 body over the limit, 415 encoding,
 * 503 unavailable, 504 deadline, 500 internal, its cause logged). Request bodies are read with the
 * Paddle front end's limit and inflation (`readBody`); inference answers are gzip / deflate
 * compressed when `Accept-Encoding` allows it; a client that leaves cancels its request.
 * Inference is observed (metrics, protocol `kserve_http`) by `serveOipInfer`.
 */
import { NotifiedLifetime } from '../../core/call-lifetime';
import { sendJson } from '../../net/http-response';
import type * as http from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { Code, ServingError, cancelled, httpStatusOf, invalidArgument } from '../../core/errors';
import type { Predictor } from '../../core/predictor';
import { HttpBodyError, readBody } from '../../net/http-body';
import type { Logger } from '../../logging/logger';
import type { CallObserver } from '../../core/call-observer';
import { serveOipInfer } from '../oip-infer';
import type { OipModelInfo } from '../oip-model-info';
import { describeValue } from '../oip-tensors';
import { formatInferResponse, parseInferBody, type ParsedInferBody } from './oip-http-codec';

export interface OipHttpOptions {
  readonly predictor: Predictor;
  readonly info: OipModelInfo;
  readonly logger: Logger;
  /** Largest request body, bytes (the server's --max_body_size). */
  readonly maxBodyBytes: number;
  readonly observe?: CallObserver;
}

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

type Route =
  | { kind: 'server'; what: 'metadata' | 'live' | 'ready' }
  | { kind: 'model'; model: string; version: string; what: 'metadata' | 'ready' | 'config' | 'stats' | 'infer' }
  | { kind: 'stats' }
  | { kind: 'index' }
  | { kind: 'control'; model: string; action: 'load' | 'unload' };

const MODEL_ACTIONS = new Set(['ready', 'config', 'stats', 'infer']);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidArgument(`path segment "${segment}" is not valid percent-encoding`);
  }
}

/** The route of a `/v2...` path, or undefined when there is none. */
export function routeOf(path: string): Route | undefined {
  const parts = path.split('/').slice(2).map(decodeSegment);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) return { kind: 'server', what: 'metadata' };
  if (parts[0] === 'health' && parts.length === 2 && (parts[1] === 'live' || parts[1] === 'ready')) return { kind: 'server', what: parts[1] };
  if (parts[0] === 'repository') {
    if (parts.length === 2 && parts[1] === 'index') return { kind: 'index' };
    if (parts.length === 4 && parts[1] === 'models' && parts[2] !== '' && (parts[3] === 'load' || parts[3] === 'unload')) return { kind: 'control', model: parts[2], action: parts[3] };
    return undefined;
  }
  if (parts[0] !== 'models') return undefined;
  if (parts.length === 2 && parts[1] === 'stats') return { kind: 'stats' };
  if (parts.length < 2 || parts[1] === '') return undefined;
  const model = parts[1];
  let rest = parts.slice(2);
  let version = '';
  if (rest[0] === 'versions') {
    if (rest.length < 2 || rest[1] === '') return undefined;
    version = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0) return { kind: 'model', model, version, what: 'metadata' };
  if (rest.length === 1 && MODEL_ACTIONS.has(rest[0])) return { kind: 'model', model, version, what: rest[0] as 'ready' };
  return undefined;
}

const methodOf = (route: Route): 'GET' | 'POST' | 'GET, POST' => {
  if (route.kind === 'control' || (route.kind === 'model' && route.what === 'infer')) return 'POST';
  if (route.kind === 'index') return 'GET, POST';
  return 'GET';
};

export function createOipHttpHandler(options: OipHttpOptions): (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void> {
  const { info, logger } = options;
  return async (req, res, path) => {
    const lifetime = new NotifiedLifetime();
    res.once('close', () => { if (!res.writableFinished) lifetime.clientGone(cancelled('the HTTP client closed the connection')); });
    try {
      const route = routeOf(path);
      if (route === undefined) {
        req.resume();
        sendJson(res, 404, { error: `no such path "${path}" in the Open Inference Protocol's REST API (see GET /v2, /v2/models/{model}[/versions/{version}][/ready|/config|/stats|/infer])` });
        return;
      }
      const allowed = methodOf(route);
      if (!allowed.split(', ').includes(req.method ?? '')) {
        req.resume();
        res.setHeader('Allow', allowed);
        sendJson(res, 405, { error: `method ${req.method} is not allowed on ${path}; use ${allowed.replace(', ', ' or ')}` });
        return;
      }
      if (route.kind === 'model' && route.what === 'infer') {
        await infer(req, res, route.model, route.version, lifetime, options);
        return;
      }
      const body = req.method === 'POST' ? await readBody(req, options.maxBodyBytes) : (req.resume(), undefined);
      switch (route.kind) {
        case 'server':
          if (route.what === 'metadata') sendJson(res, 200, info.serverMetadata());
          else if (route.what === 'live') sendJson(res, info.live ? 200 : 400, { live: info.live });
          else sendJson(res, info.ready ? 200 : 400, { ready: info.ready });
          return;
        case 'model':
          if (route.what === 'metadata') sendJson(res, 200, info.modelMetadata(route.model, route.version));
          else if (route.what === 'ready') {
            const ready = info.modelReady(route.model, route.version);
            sendJson(res, ready ? 200 : 400, { name: route.model, ready });
          } else if (route.what === 'config') sendJson(res, 200, info.modelConfig(route.model, route.version));
          else sendJson(res, 200, await info.modelStatistics(route.model, route.version));
          return;
        case 'stats':
          sendJson(res, 200, await info.modelStatistics());
          return;
        case 'index': {
          const ready = body === undefined || body.byteLength === 0 ? false : readyFlag(body);
          sendJson(res, 200, info.repositoryIndex(ready));
          return;
        }
        case 'control': {
          const parameters = body === undefined || body.byteLength === 0 ? [] : controlParameters(body);
          await (route.action === 'load' ? info.load(route.model, parameters) : info.unload(route.model, parameters));
          sendJson(res, 200, {});
          return;
        }
      }
    } catch (error) {
      req.resume(); // whatever of the body is left unread is drained, so a kept-alive connection stays usable
      const serving = error instanceof HttpBodyError ? error : ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error(`Open Inference Protocol ${req.method} ${path} failed`, { cause: serving.cause ?? error });
      if (serving.code === Code.CANCELLED) logger.debug(`Open Inference Protocol ${path} cancelled`, { reason: serving.rawMessage });
      if (res.destroyed || res.headersSent) return;
      sendJson(res, error instanceof HttpBodyError ? error.status : httpStatusOf(serving.code), { error: serving.toGrpcStatus().details });
    }
  };
}

function jsonObject(body: Buffer, what: string, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidArgument(`${what} request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${what} request body must be a JSON object such as ${example}`);
  return value as Record<string, unknown>;
}

/** The parameter names of a load / unload request body (`{"parameters": {...}}`). */
function controlParameters(body: Buffer): string[] {
  const parameters = jsonObject(body, 'repository load / unload', '{} or {"parameters": {}}').parameters;
  if (parameters === undefined) return [];
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw invalidArgument(`repository load / unload "parameters" must be an object; got ${describeValue(parameters)}`);
  return Object.keys(parameters);
}

/** `{"ready": bool}` of a repository index request. */
function readyFlag(body: Buffer): boolean {
  const ready = jsonObject(body, 'repository index', '{"ready": true}').ready;
  if (ready !== undefined && typeof ready !== 'boolean') throw invalidArgument(`repository index "ready" must be a boolean; got ${describeValue(ready)}`);
  return ready === true;
}

async function infer(req: http.IncomingMessage, res: http.ServerResponse, model: string, version: string, lifetime: NotifiedLifetime, options: OipHttpOptions): Promise<void> {
  let parsed: ParsedInferBody | undefined;
  const { request, result, outputNames } = await serveOipInfer(options.predictor, { protocol: 'kserve_http', lifetime, observe: options.observe }, async () => {
    let headerLength: number | undefined;
    try {
      // Unknown model or version first: NOT_FOUND before the body is read.
      options.predictor.model(model, version);
      const headerText = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
      headerLength = headerText === undefined ? undefined : parseHeaderLength(String(headerText));
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (headerLength === undefined && contentType !== '' && contentType !== 'application/json' && !contentType.endsWith('+json')) {
        throw new HttpBodyError(415, `Content-Type "${contentType}" is not supported without Inference-Header-Content-Length; use application/json (or the binary tensor data extension)`);
      }
    } catch (error) {
      req.resume(); // the body is not read: drain it so the connection stays usable
      throw error;
    }
    const body = await readBody(req, options.maxBodyBytes, () => options.predictor.admission());
    parsed = parseInferBody(body, headerLength, model, version);
    return parsed.request;
  });
  const formatted = formatInferResponse({
    modelName: result.model.name,
    modelVersion: result.model.version,
    id: request.id,
    outputs: result.outputs.map((o, i) => ({ name: outputNames[i], tensor: o.tensor })),
  }, parsed!.binaryOutput);
  const encoding = responseEncoding(req.headers['accept-encoding']);
  const body = encoding === undefined ? formatted.body : await (encoding === 'gzip' ? gzip : deflate)(formatted.body);
  res.statusCode = 200;
  if (formatted.headerLength === undefined) res.setHeader('Content-Type', 'application/json');
  else {
    res.setHeader('Content-Type', 'application/octet-stream');
    // The JSON header's length before compression, as Triton sends it.
    res.setHeader('Inference-Header-Content-Length', formatted.headerLength);
  }
  if (encoding !== undefined) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
}

/** gzip or deflate when the client accepts it (Triton's response compression), else identity. */
function responseEncoding(accept: string | undefined): 'gzip' | 'deflate' | undefined {
  if (accept === undefined) return undefined;
  if (/\bgzip\b/i.test(accept)) return 'gzip';
  if (/\bdeflate\b/i.test(accept)) return 'deflate';
  return undefined;
}

function parseHeaderLength(text: string): number {
  if (!/^\d{1,12}$/.test(text.trim())) throw invalidArgument(`Inference-Header-Content-Length must be a byte count; got "${text}"`);
  return Number(text.trim());
}

