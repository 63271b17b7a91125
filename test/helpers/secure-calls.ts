/**
 * Calls for the TLS and authentication tests: a unary gRPC call through @grpc/grpc-js with
 * optional metadata, an HTTP(S) request with optional client certificate and bearer token, the
 * certificate a TLS connection to the port is served, and a polling wait.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { HostTensor } from '../../src/core/tensor';
import { toLittleEndianBytes } from '../../src/core/tensor';
import { DTYPE_TO_WIRE, encodePredictRequest } from '../../src/protocol/predict-messages';

export interface GrpcOutcome {
  readonly error: grpc.ServiceError | null;
  readonly bytes?: Buffer;
}

export function grpcCall(client: grpc.Client, path: string, body: Uint8Array, token?: string): Promise<GrpcOutcome> {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), metadata, { deadline: Date.now() + 10_000 }, (error, bytes) => resolve({ error, bytes }));
  });
}

/** A PredictRequest for `feed`, as RecServingClient encodes it. */
export function predictBody(feed: Record<string, HostTensor>): Buffer {
  return encodePredictRequest({
    modelName: '',
    inputs: Object.entries(feed).map(([name, tensor]) => ({ name, dtype: DTYPE_TO_WIRE[tensor.dtype], shape: [...tensor.dims], rawData: toLittleEndianBytes(tensor.data) })),
    outputNames: [],
  });
}

export interface HttpOutcome {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpCallOptions {
  readonly method?: string;
  readonly body?: string;
  readonly token?: string;
  /** Use TLS with this CA file (and the client certificate, if given). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export function httpCall(port: number, path: string, options: HttpCallOptions = {}): Promise<HttpOutcome> {
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', Connection: 'close' };
  if (options.body !== undefined) headers['Content-Length'] = Buffer.byteLength(options.body);
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const common = { host: '127.0.0.1', port, path, method: options.method ?? 'POST', headers, agent: false as const };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    };
    const req = options.ca === undefined
      ? http.request(common, onResponse)
      : https.request({
        ...common,
        ca: fs.readFileSync(options.ca),
        ...(options.cert === undefined ? {} : { cert: fs.readFileSync(options.cert), key: fs.readFileSync(options.key!) }),
      }, onResponse);
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no HTTP answer within 10 s')));
    req.end(options.body);
  });
}

/** SHA-256 fingerprint of the certificate a new TLS connection to the port is given. */
export function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(ca), ALPNProtocols: ['h2'] }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

export function fingerprintOf(certFile: string): string {
  return new crypto.X509Certificate(fs.readFileSync(certFile)).fingerprint256;
}

export async function waitFor(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
