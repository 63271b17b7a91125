/**
 * `--client_mode http`: Paddle's HTTP/1.1 protocol as Paddle's `HttpClient` speaks it:
 * `POST /GeneralModelService/inference` on a kept-alive connection, a JSON body (or the
 * serialized Request with `Content-Type: application/proto`), optionally gzip both ways.
 *
 * Contract: a non-200 answer rejects with a ServingError whose code is read back from the HTTP
 * status (400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND,
 * 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, else INTERNAL) and whose message is the server's text
 * body. With `security.tls` it speaks HTTPS (an https.Agent with the CA and client certificate);
 * with `security.authToken` every request carries `Authorization: Bearer <token>`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { bearerHeader, tlsConnectOptions } from './client-security';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import { decodePaddleResponse } from '../paddle/service/paddle-messages';
import { writePaddleRequest } from '../paddle/service/paddle-request-writer';
import { formatPaddleJsonRequest, parsePaddleJsonResponse } from '../paddle/service/paddle-json';
import { singleEndpoint } from './connect-targets';
import { buildPaddleRequest, readPaddleResponse } from './paddle-wire-codec';
import type { PredictionTransport, TransportResult } from './prediction-transport';
import type { TransportOptions } from './transport-options';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

export function codeOfHttpStatus(status: number): Code {
  switch (status) {
    case 400: case 413: case 415: return Code.INVALID_ARGUMENT;
    case 401: return Code.UNAUTHENTICATED;
    case 403: return Code.PERMISSION_DENIED;
    case 404: return Code.NOT_FOUND;
    case 499: return Code.CANCELLED;
    case 501: case 405: return Code.UNIMPLEMENTED;
    case 503: return Code.UNAVAILABLE;
    case 504: return Code.DEADLINE_EXCEEDED;
    default: return Code.INTERNAL;
  }
}

export function createPaddleHttpTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const { host, port } = singleEndpoint(address);
  const tlsOptions = options.security?.tls;
  // TLS: an https.Agent verifying the server with the given CA (default roots) and presenting the client certificate, if any.
  const agent = tlsOptions === undefined ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tlsConnectOptions(tlsOptions, host, port, ['http/1.1']) });
  const send = tlsOptions === undefined ? http.request : https.request;
  const proto = options.httpBody === 'proto';
  const useGzip = options.httpGzip === true;
  return {
    mode: proto ? 'http-proto' : 'http',
    async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const started = performance.now();
      const plain = proto
        ? writePaddleRequest(feed, fetch, requestId, options.signature)
        : Buffer.from(formatPaddleJsonRequest(buildPaddleRequest(feed, fetch, requestId, options.signature)), 'utf8');
      const body = useGzip ? await gzip(plain) : plain;
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': proto ? 'application/proto' : 'application/json',
        'Content-Length': body.byteLength,
      };
      if (options.security?.authToken !== undefined) headers.Authorization = bearerHeader(options.security.authToken);
      if (useGzip) {
        headers['Content-Encoding'] = 'gzip';
        headers['Accept-Encoding'] = 'gzip';
      }
      const { status, contentType, bytes } = await post(send, agent, host, port, body, headers, deadlineMs);
      if (status !== 200) throw new ServingError(codeOfHttpStatus(status), `HTTP ${status}: ${bytes.toString('utf8').trim()}`);
      try {
        // As Paddle's client: protobuf only when the server says exactly application/proto.
        const response = contentType === 'application/proto' ? decodePaddleResponse(bytes) : parsePaddleJsonResponse(bytes.toString('utf8'));
        const result = readPaddleResponse(response);
        return { outputs: result.outputs, serverMicros: result.serverMicros, clientMicros: (performance.now() - started) * 1000 };
      } catch (error) {
        throw new ServingError(Code.INTERNAL, `cannot decode the server's Response: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
    close: () => agent.destroy(),
  };
}

function post(send: typeof http.request, agent: http.Agent, host: string, port: number, body: Buffer, headers: http.OutgoingHttpHeaders, deadlineMs: number): Promise<{ status: number; contentType: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = send({ agent, host, port, method: 'POST', path: '/GeneralModelService/inference', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const contentType = String(res.headers['content-type'] ?? '');
        const done = (bytes: Buffer) => resolve({ status: res.statusCode ?? 0, contentType, bytes });
        if (res.headers['content-encoding'] === 'gzip') gunzip(raw).then(done, reject);
        else done(raw);
      });
    });
    if (deadlineMs > 0) {
      req.setTimeout(deadlineMs, () => req.destroy(new ServingError(Code.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms`)));
    }
    req.on('error', (error) => reject(error instanceof ServingError ? error : new ServingError(Code.UNAVAILABLE, `HTTP request to ${host}:${port} failed: ${error.message}`, { cause: error })));
    req.end(body);
  });
}
