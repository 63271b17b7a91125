/**
 * Paddle Serving's WebService HTTP API (`paddle_serving_server.web_service.WebService`):
 * `POST /{name}/prediction` with JSON `{"feed": [{<var>: <values>}, ...], "fetch": [<var>, ...]}`,
 * one object per sample, answered with `{"result": {<fetch alias>: <nested list>}}`, as Paddle's
 * Flask app does it (`preprocess` reshapes each sample to the feed var's shape and stacks them;
 * `postprocess` turns every fetch array into a nested list).
 *
 * Contract:
 * - `{name}` is a served model's name (the default model: --name, by default the last folder
 *   of --model); another name gets 404 naming the served one.
 * - Feed keys are the feed vars' names or aliases; every sample must give every feed var, with
 *   exactly product(shape) values (nested lists or flat); integer vars take integers.
 * - Errors are not Paddle's `200 {"result": "<error>"}`: they get the HTTP status of the failure
 *   (400 bad feed, 404 unknown name, 405 not POST, 413 too large, 503 overloaded) and the body
 *   `{"result": "<message>"}` with the message naming the input, so Paddle clients that print
 *   `result` still show the reason.
 * - The call runs through `serveGeneralModelCall` (protocol `paddle_http`, method `prediction`):
 *   same validation, metrics and access log as Paddle's other front ends.
 */
import { sendJson } from '../net/http-response';
import type * as http from 'node:http';
import { Code, ServingError, httpStatusOf, invalidArgument } from '../core/errors';
import type { TensorSpec } from '../core/model-signature';
import type { PeerSource, CallObserver } from '../core/call-observer';
import type { Predictor } from '../core/predictor';
import { paddleCodeOfDType } from '../model/paddle-config';
import { serveGeneralModelCall } from '../paddle/service/general-model-inference';
import type { PaddleRequest, PaddleResponse, PaddleTensor } from '../paddle/service/paddle-messages';

export const WEB_SERVICE_PATH = /^\/([^/]+)\/prediction$/;

export interface WebServiceOptions {
  readonly predictor: Predictor;
  readonly observe?: CallObserver;
  readonly readBody: (req: http.IncomingMessage) => Promise<Buffer>;
}

export async function handleWebServicePrediction(req: http.IncomingMessage, res: http.ServerResponse, name: string, options: WebServiceOptions): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('Allow', 'POST');
    sendResult(res, 405, `method ${req.method} is not allowed on /${name}/prediction; use POST`);
    return;
  }
  try {
    const model = options.predictor.model();
    if (decodeURIComponent(name) !== model.name) {
      req.resume();
      throw new ServingError(Code.NOT_FOUND, `no WebService named "${decodeURIComponent(name)}"; this server's is "${model.name}": POST /${encodeURIComponent(model.name)}/prediction`);
    }
    const response = await serveGeneralModelCall(options.predictor, { protocol: 'paddle_http', method: 'prediction', observe: options.observe, peer: req.socket as PeerSource }, async () => {
      const body = await options.readBody(req);
      return toPaddleRequest(body.toString('utf8'), model.signature.inputs);
    });
    sendJson(res, 200, { result: toFetchMap(response) });
  } catch (error) {
    const serving = ServingError.from(error);
    const status = (error as { status?: number }).status ?? httpStatusOf(serving.code);
    if (!res.destroyed) sendResult(res, status, serving.toGrpcStatus().details);
  }
}

function toPaddleRequest(text: string, inputs: readonly TensorSpec[]): PaddleRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('request body must be a JSON object {"feed": [{...}], "fetch": [...]}');
  const { feed, fetch } = body as { feed?: unknown; fetch?: unknown };
  if (!Array.isArray(feed) || feed.length === 0) throw invalidArgument(`"feed" must be a non-empty list of samples ({<feed var>: <values>}); got ${JSON.stringify(feed)?.slice(0, 100)}`);
  if (!Array.isArray(fetch) || fetch.some((f) => typeof f !== 'string')) throw invalidArgument(`"fetch" must be a list of fetch var names; got ${JSON.stringify(fetch)?.slice(0, 100)}`);
  const known = new Set(inputs.flatMap((spec) => [spec.name, spec.alias]));
  const tensors: PaddleTensor[] = inputs.map((spec) => ({ elem_type: paddleCodeOfDType(spec.dtype), shape: [feed.length, ...spec.shape.map((d) => (d < 0 ? 1 : d))], name: spec.name, alias_name: spec.alias }));
  const values: unknown[][] = inputs.map(() => []);
  feed.forEach((sample: unknown, row) => {
    if (sample === null || typeof sample !== 'object' || Array.isArray(sample)) throw invalidArgument(`feed[${row}] must be an object {<feed var>: <values>}; got ${JSON.stringify(sample)?.slice(0, 100)}`);
    const unknown = Object.keys(sample).filter((key) => !known.has(key));
    if (unknown.length > 0) throw invalidArgument(`feed[${row}] has unknown feed vars ${unknown.join(', ')}; the model's are ${inputs.map((s) => s.alias).join(', ')}`);
    inputs.forEach((spec, i) => {
      const value = (sample as Record<string, unknown>)[spec.name] ?? (sample as Record<string, unknown>)[spec.alias];
      if (value === undefined) throw invalidArgument(`feed[${row}] lacks feed var "${spec.alias}"`);
      const flat = [value].flat(Infinity);
      const expected = spec.shape.reduce((a, b) => a * Math.max(1, b), 1);
      if (!spec.shape.includes(-1) && flat.length !== expected) {
        throw invalidArgument(`feed[${row}] "${spec.alias}": expected ${expected} value(s) (shape [${spec.shape.join(', ')}]); got ${flat.length}`);
      }
      for (const v of flat) values[i].push(v);
    });
  });
  inputs.forEach((spec, i) => {
    const tensor = tensors[i];
    if (spec.shape.includes(-1)) tensor.shape = [feed.length, values[i].length / feed.length];
    const list = values[i];
    const numbers = () => list.map((v) => {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw invalidArgument(`"${spec.alias}": values must be numbers; got ${JSON.stringify(v)}`);
      return Number(v);
    });
    switch (spec.dtype) {
      case 'int64': tensor.int64_data = numbers(); break;
      case 'int32': tensor.int_data = numbers(); break;
      case 'float32': tensor.float_data = numbers(); break;
      case 'float64': tensor.float64_data = numbers(); break;
      case 'bool': tensor.bool_data = numbers().map(Boolean); break;
      default: throw invalidArgument(`"${spec.alias}" is ${spec.dtype}, which the WebService JSON API does not carry; use Paddle's HttpClient, gRPC or baidu_std`);
    }
  });
  return { tensor: tensors, fetch_var_names: fetch as string[], profile_server: false, log_id: 0 };
}

function toFetchMap(response: PaddleResponse): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const tensor of response.outputs[0]?.tensor ?? []) {
    const data = Array.from((tensor.float_data ?? tensor.int64_data ?? tensor.int_data ?? tensor.float64_data ?? tensor.bool_data ?? []) as ArrayLike<number | boolean>, (v) => (typeof v === 'bigint' ? Number(v) : v));
    map[tensor.alias_name || tensor.name || ''] = nest(data, Array.from(tensor.shape ?? [data.length], Number));
  }
  return map;
}

/** `data` as nested lists of `dims` (numpy's tolist()). */
function nest(data: readonly unknown[], dims: readonly number[]): unknown {
  if (dims.length <= 1) return [...data];
  const step = data.length / dims[0];
  return Array.from({ length: dims[0] }, (_, i) => nest(data.slice(i * step, (i + 1) * step), dims.slice(1)));
}

function sendResult(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { result: message });
}

