/**
 * A typed client of the Open Inference Protocol's REST API (KServe V2 with Triton's binary
 * tensor data extension), usable against any OIP server: kept-alive `node:http` connections.
 *
 * Contract:
 * - `infer` sends the inputs as binary tensor data after the JSON header (binary-infer-body.ts)
 *   (`Inference-Header-Content-Length`) and asks for binary outputs (`binary_data_output`);
 *   with `binaryData: false` it sends and asks for JSON `data` instead. Either answer is read.
 * - A non-200 answer rejects with a ServingError whose code is read back from the HTTP status
 *   (400 INVALID_ARGUMENT, 404 NOT_FOUND, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, ...) and whose
 *   message is the server's `{"error"}`; no answer within the deadline rejects with
 *   DEADLINE_EXCEEDED, a connection failure with UNAVAILABLE.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../../core/errors';
import type { HostTensor } from '../../core/tensor';
import { DATATYPE_OF_DTYPE } from '../../kserve/oip-tensors';
import { codeOfHttpStatus } from '../paddle-http-transport';
import { bearerHeader, tlsConnectOptions } from '../client-security';
import { BinaryInferBody } from './binary-infer-body';
import {
  answeredTensor, type KServeClientOptions, type KServeInferOptions, type KServeInferResult,
  type KServeModelMetadata, type KServeRepositoryEntry, type KServeServerMetadata,
} from './kserve-types';

export interface KServeHttpClientOptions extends KServeClientOptions {
  /** Binary tensor data both ways (default true); false: JSON `data`. */
  readonly binaryData?: boolean;
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

export class KServeHttpClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly authorization: http.OutgoingHttpHeaders;
  /** The binary-data body, its JSON header kept for the last feed layout. */
  private readonly binaryBody = new BinaryInferBody();

  private constructor(private readonly host: string, private readonly port: number, private readonly options: KServeHttpClientOptions) {
    const tlsOptions = options.security?.tls;
    // TLS: an https.Agent verifying the server with the given CA (default roots) and presenting the client certificate, if any.
    this.agent = tlsOptions === undefined ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tlsConnectOptions(tlsOptions, host, port, ['http/1.1']) });
    this.request = tlsOptions === undefined ? http.request : https.request;
    const token = options.security?.authToken;
    this.authorization = token === undefined ? {} : { Authorization: bearerHeader(token) };
  }

  static connect(address: string, options: KServeHttpClientOptions = {}): KServeHttpClient {
    const at = address.lastIndexOf(':');
    const port = Number(address.slice(at + 1));
    if (at < 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`the server address must be host:port; got "${address}"`);
    return new KServeHttpClient(address.slice(0, at).replace(/^\[|\]$/g, ''), port, options);
  }

  async serverLive(): Promise<boolean> { return (await this.send('GET', '/v2/health/live', undefined, {}, [200, 400])).status === 200; }
  async serverReady(): Promise<boolean> { return (await this.send('GET', '/v2/health/ready', undefined, {}, [200, 400])).status === 200; }
  async modelReady(name: string, version = ''): Promise<boolean> { return (await this.send('GET', `${modelPath(name, version)}/ready`, undefined, {}, [200, 400])).status === 200; }
  serverMetadata(): Promise<KServeServerMetadata> { return this.json('GET', '/v2'); }
  modelMetadata(name: string, version = ''): Promise<KServeModelMetadata> { return this.json('GET', modelPath(name, version)); }
  modelConfig(name: string, version = ''): Promise<Record<string, unknown>> { return this.json('GET', `${modelPath(name, version)}/config`); }
  async modelStatistics(name = '', version = ''): Promise<Array<Record<string, unknown>>> {
    return (await this.json<{ model_stats: Array<Record<string, unknown>> }>('GET', name === '' ? '/v2/models/stats' : `${modelPath(name, version)}/stats`)).model_stats;
  }
  repositoryIndex(readyOnly = false): Promise<KServeRepositoryEntry[]> { return this.json('POST', '/v2/repository/index', Buffer.from(JSON.stringify({ ready: readyOnly }))); }
  async loadModel(name: string): Promise<void> { await this.json('POST', `/v2/repository/models/${encodeURIComponent(name)}/load`, Buffer.from('{}')); }
  async unloadModel(name: string): Promise<void> { await this.json('POST', `/v2/repository/models/${encodeURIComponent(name)}/unload`, Buffer.from('{}')); }

  async infer(modelName: string, inputs: Readonly<Record<string, HostTensor>>, options: KServeInferOptions = {}): Promise<KServeInferResult> {
    const started = performance.now();
    const path = `${modelPath(modelName, options.modelVersion ?? '')}/infer`;
    let answer: Answer;
    if (this.options.binaryData !== false) {
      const { body, headerBytes } = this.binaryBody.build(inputs, options);
      answer = await this.send('POST', path, body, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': headerBytes }, [200], options.deadlineMs);
    } else {
      const header = {
        ...(options.id === undefined || options.id === '' ? {} : { id: options.id }),
        parameters: { ...(options.parameters ?? {}) },
        inputs: Object.keys(inputs).map((name) => ({ name, shape: [...inputs[name].dims], datatype: DATATYPE_OF_DTYPE[inputs[name].dtype], data: jsonValues(inputs[name]) })),
        ...(options.outputs === undefined || options.outputs.length === 0 ? {} : { outputs: options.outputs.map((name) => ({ name })) }),
      };
      answer = await this.send('POST', path, Buffer.from(JSON.stringify(header), 'utf8'), { 'Content-Type': 'application/json' }, [200], options.deadlineMs);
    }
    const lengthHeader = answer.headers['inference-header-content-length'];
    const jsonEnd = lengthHeader === undefined ? answer.body.byteLength : Number(lengthHeader);
    const response = parseJson<{ model_name: string; model_version: string; id?: string; outputs: Array<{ name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }> }>(answer.body.subarray(0, jsonEnd));
    let offset = jsonEnd;
    const outputs: Record<string, HostTensor> = {};
    for (const o of response.outputs) {
      const size = o.parameters?.binary_data_size;
      if (size === undefined) outputs[o.name] = answeredTensor(o.name, o.datatype, o.shape, { values: o.data ?? [] });
      else {
        outputs[o.name] = answeredTensor(o.name, o.datatype, o.shape, { raw: answer.body.subarray(offset, offset + size) });
        offset += size;
      }
    }
    return { modelName: response.model_name, modelVersion: response.model_version, id: response.id ?? '', outputs, clientMicros: (performance.now() - started) * 1000 };
  }

  close(): void {
    this.agent.destroy();
  }

  private async json<T>(method: string, path: string, body?: Buffer): Promise<T> {
    const answer = await this.send(method, path, body, body === undefined ? {} : { 'Content-Type': 'application/json' }, [200]);
    return parseJson<T>(answer.body);
  }

  private send(method: string, path: string, body: Buffer | undefined, headers: http.OutgoingHttpHeaders, ok: readonly number[], deadlineMs = this.options.deadlineMs ?? 0): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const all = { ...this.authorization, ...headers, ...(body === undefined ? {} : { 'Content-Length': body.byteLength }) };
      const req = this.request({ agent: this.agent, host: this.host, port: this.port, method, path, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
          if (ok.includes(answer.status)) resolve(answer);
          else reject(new ServingError(codeOfHttpStatus(answer.status), errorText(answer)));
        });
      });
      if (deadlineMs > 0) req.setTimeout(deadlineMs, () => req.destroy(new ServingError(Code.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms`)));
      req.on('error', (error) => reject(error instanceof ServingError ? error : new ServingError(Code.UNAVAILABLE, `HTTP request to ${this.host}:${this.port} failed: ${error.message}`, { cause: error })));
      req.end(body);
    });
  }
}

function modelPath(name: string, version: string): string {
  return `/v2/models/${encodeURIComponent(name)}${version === '' ? '' : `/versions/${encodeURIComponent(version)}`}`;
}

function jsonValues(t: HostTensor): unknown[] {
  if (t.dtype === 'bool') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

function errorText(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `HTTP ${answer.status}: ${answer.body.toString('utf8').trim()}`;
}

function parseJson<T>(bytes: Buffer): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    throw new ServingError(Code.INTERNAL, `the server's answer is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
