/**
 * The Open Inference Protocol's REST API on the server's one port, driven with raw JSON bodies
 * and Triton's binary tensor data extension built by hand (no rec-serving encoder): health,
 * metadata, config, statistics, inference (flat and nested JSON data, binary inputs and
 * outputs, per-output binary_data), the repository extension without model control, metrics,
 * and every error path with its status and `{"error": ...}` body.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { HostTensor } from '../../src/core/tensor';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { assertClose, expectedScores } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer; json(): any }

const MAX_BODY_BYTES = 100_000;

function jsonInputs(feed: Record<string, HostTensor>, nested = false) {
  return Object.entries(feed).map(([name, t]) => {
    const flat = t.dtype === 'int64' ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array);
    const columns = t.dims[1];
    const data = nested ? Array.from({ length: t.dims[0] }, (_, r) => flat.slice(r * columns, (r + 1) * columns)) : flat;
    return { name, shape: [...t.dims], datatype: t.dtype === 'int64' ? 'INT64' : 'FP32', data };
  });
}

/** Triton's binary layout: the JSON header, then each input's little-endian bytes in order. */
function binaryBody(feed: Record<string, HostTensor>, extra: object = {}): { body: Buffer; headerLength: number } {
  const names = Object.keys(feed);
  const inputs = names.map((name) => ({ name, shape: [...feed[name].dims], datatype: feed[name].dtype === 'int64' ? 'INT64' : 'FP32', parameters: { binary_data_size: feed[name].data.byteLength } }));
  const header = Buffer.from(JSON.stringify({ inputs, ...extra }));
  const blobs = names.map((name) => Buffer.from(feed[name].data.buffer, feed[name].data.byteOffset, feed[name].data.byteLength));
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.byteLength };
}

const floats = (bytes: Buffer) => {
  const copy = Buffer.from(bytes);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
};

describe('Open Inference Protocol REST API (/v2)', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  let model: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, path: string, body?: Buffer | string, headers: http.OutgoingHttpHeaders = {}) => new Promise<Answer>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: bytes, json: () => JSON.parse(bytes.toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  const post = (path: string, body: Buffer | string, headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' }) => request('POST', path, body, headers);
  const inferPath = () => `/v2/models/${model}/infer`;
  const expectError = (answer: Answer, statusCode: number, pattern: RegExp) => {
    assert.equal(answer.status, statusCode, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/json');
    const body = answer.json();
    assert.deepEqual(Object.keys(body), ['error']);
    assert.match(body.error, pattern);
  };

  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir, flags: ['--max_body_size', String(MAX_BODY_BYTES)] });
    model = t.server.predictor.listModels()[0].name;
  });
  after(async () => {
    agent.destroy();
    await t.stop();
  });

  it('answers server metadata, liveness and readiness', async () => {
    const meta = await request('GET', '/v2');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.json(), { name: 'rec-serving', version: (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version, extensions: ['binary_tensor_data', 'model_configuration', 'statistics', 'model_repository'] });
    assert.deepEqual((await request('GET', '/v2/health/live')).json(), { live: true });
    const ready = await request('GET', '/v2/health/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { ready: true });
  });

  it('describes the model: metadata, readiness, config and statistics, with or without a version', async () => {
    for (const prefix of [`/v2/models/${model}`, `/v2/models/${model}/versions/1`]) {
      const meta = await request('GET', prefix);
      assert.equal(meta.status, 200);
      const body = meta.json();
      assert.equal(body.name, model);
      assert.deepEqual(body.versions, ['1']);
      assert.deepEqual(body.inputs[0], { name: 'C1', datatype: 'INT64', shape: [-1, 1] });
      assert.deepEqual(body.outputs, [{ name: 'prob', datatype: 'FP32', shape: [-1, 1] }]);
      const ready = await request('GET', `${prefix}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json(), { name: model, ready: true });
      const config = (await request('GET', `${prefix}/config`)).json();
      assert.equal(config.max_batch_size, t.server.predictor.model().options.maxRequestRows);
      assert.deepEqual(config.dynamic_batching, { preferred_batch_size: [], max_queue_delay_microseconds: 0, preserve_ordering: false, default_queue_policy: { timeout_action: 'REJECT', default_timeout_microseconds: 0, allow_timeout_override: false, max_queue_size: 256 } });
      assert.deepEqual(config.output, [{ name: 'prob', data_type: 'TYPE_FP32', dims: [1] }]);
      const stats = (await request('GET', `${prefix}/stats`)).json();
      assert.equal(stats.model_stats[0].name, model);
      assert.equal(typeof stats.model_stats[0].inference_stats.success.count, 'number');
    }
    assert.equal((await request('GET', '/v2/models/stats')).json().model_stats.length, 1);
    for (const suffix of ['', '/ready', '/config', '/stats']) {
      expectError(await request('GET', `/v2/models/nope${suffix}`), 404, /^model "nope" not found; available: \["/);
      expectError(await request('GET', `/v2/models/${model}/versions/3${suffix}`), 404, /version "3" not found; available: \["1"\]$/);
    }
  });

  it('infers from JSON data, flat or nested, echoing the id and answering JSON data', async () => {
    const feed = criteoFeed(5);
    const expected = expectedScores(fixture.model.weights, feed);
    for (const nested of [false, true]) {
      const answer = await post(inferPath(), JSON.stringify({ id: 'abc', inputs: jsonInputs(feed, nested), outputs: [{ name: 'prob' }] }));
      assert.equal(answer.status, 200, answer.body.toString());
      assert.equal(answer.headers['content-type'], 'application/json');
      const body = answer.json();
      assert.equal(body.model_name, model);
      assert.equal(body.model_version, '1');
      assert.equal(body.id, 'abc');
      assert.deepEqual(body.outputs.map((o: { name: string; datatype: string; shape: number[] }) => [o.name, o.datatype, o.shape]), [['prob', 'FP32', [5, 1]]]);
      assertClose(body.outputs[0].data, expected, `data (nested=${nested})`);
    }
    const noOutputs = (await post(`/v2/models/${model}/versions/1/infer`, JSON.stringify({ inputs: jsonInputs(feed) }))).json();
    assert.equal(noOutputs.id, undefined);
    assert.equal(noOutputs.outputs[0].name, 'prob');
    const gz = await post(inferPath(), zlib.gzipSync(JSON.stringify({ inputs: jsonInputs(feed), outputs: [{ name: 'sigmoid_0.tmp_0' }] })), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.json().outputs[0].name, 'sigmoid_0.tmp_0');
    assert.deepEqual(gz.json().outputs[0].data, noOutputs.outputs[0].data);
    const compressed = await post(inferPath(), JSON.stringify({ inputs: jsonInputs(feed) }), { 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' });
    assert.equal(compressed.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(zlib.gunzipSync(compressed.body).toString()), noOutputs);
  });

  it('speaks the binary tensor data extension both ways, per request and per output', async () => {
    const feed = criteoFeed(6, 1000, 3);
    const json = (await post(inferPath(), JSON.stringify({ inputs: jsonInputs(feed) }))).json();
    const { body, headerLength } = binaryBody(feed, { id: 'bin', parameters: { binary_data_output: true } });
    const answer = await post(inferPath(), body, { 'Inference-Header-Content-Length': headerLength, 'Content-Type': 'application/octet-stream' });
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/octet-stream');
    const length = Number(answer.headers['inference-header-content-length']);
    const header = JSON.parse(answer.body.subarray(0, length).toString());
    assert.deepEqual(header, { model_name: model, model_version: '1', id: 'bin', outputs: [{ name: 'prob', datatype: 'FP32', shape: [6, 1], parameters: { binary_data_size: 24 } }] });
    assert.equal(answer.body.byteLength, length + 24);
    assert.deepEqual(floats(answer.body.subarray(length)), Float32Array.from(json.outputs[0].data));
    // Binary inputs, JSON output; then JSON inputs, binary output by the output's own parameter.
    const jsonOut = await post(inferPath(), binaryBody(feed).body, { 'Inference-Header-Content-Length': binaryBody(feed).headerLength });
    assert.equal(jsonOut.headers['content-type'], 'application/json');
    assert.deepEqual(jsonOut.json().outputs[0].data, json.outputs[0].data);
    const perOutput = await post(inferPath(), JSON.stringify({ inputs: jsonInputs(feed), outputs: [{ name: 'prob', parameters: { binary_data: true } }] }));
    assert.equal(Number(perOutput.headers['inference-header-content-length']) + 24, perOutput.body.byteLength);
    const notBinary = await post(inferPath(), JSON.stringify({ inputs: jsonInputs(feed), parameters: { binary_data_output: true }, outputs: [{ name: 'prob', parameters: { binary_data: false } }] }));
    assert.equal(notBinary.headers['content-type'], 'application/json');
  });

  it('refuses bad requests with the right status and a precise {"error"}', async () => {
    const feed = criteoFeed(2);
    const inputs = jsonInputs(feed);
    const bad = (body: unknown) => post(inferPath(), typeof body === 'string' ? body : JSON.stringify(body));
    expectError(await bad('{"inputs": ['), 400, /^inference request body is not valid JSON: /);
    expectError(await bad([]), 400, /^the inference request must be a JSON object; got an array$/);
    expectError(await bad({ inputs: [] }), 400, /^"inputs" must be a non-empty array of input tensors; got an array$/);
    expectError(await bad({ inputs: [{ ...inputs[0], shape: 'x' }] }), 400, /^inputs\[0\] \("C1"\)\.shape must be an array of non-negative integers; got the string "x"$/);
    expectError(await bad({ inputs: [{ ...inputs[0], data: undefined }] }), 400, /^inputs\[0\] \("C1"\)\.data must be an array of values/);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 0 ? { ...i, datatype: 'FP64' } : i)) }), 400, /^input "C1": expected dtype int64; got float64$/);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 0 ? { ...i, datatype: 'STRING' } : i)) }), 400, /^input "C1": datatype "STRING" is not supported; expected one of /);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 1 ? { ...i, data: [1] } : i)) }), 400, /^input "C2": shape \[2,1\] needs 2 values; got 1 in data$/);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 1 ? { ...i, data: [1, 'x'] } : i)) }), 400, /^input "C2": data\[1\] is "x"; expected an integer in \[-9007199254740991, 9007199254740991\] \(INT64\)$/);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 1 ? { ...i, data: [1, 5000] } : i)) }), 400, /^input "C2": id 5000 at row 1 is outside the embedding range \[0, 999\]$/);
    expectError(await bad({ inputs: inputs.map((i, k) => (k === 1 ? { ...i, shape: [2, -1] } : i)) }), 400, /^input "C2": shape dimensions must be non-negative integers; got \[2,-1\]$/);
    expectError(await bad({ inputs: inputs.slice(1) }), 400, /^inputs do not match the model: missing \{C1\}/);
    const deep = `${'['.repeat(40_000)}${']'.repeat(40_000)}`;
    expectError(await bad(`{"inputs":[{"name":"C1","datatype":"INT64","shape":[${deep}],"data":[1]}]}`), 400, /^input "C1": shape must be a list of non-negative integers; got \[an array\]$/);
    expectError(await bad(`{"inputs":[{"name":"C1","datatype":"INT64","shape":[2,1],"data":[${deep},1]}]}`), 400, /^input "C1": shape \[2,1\] needs 2 values; got 1 in data$/);
    expectError(await post('/v2/repository/index', `{"ready":${deep}}`), 400, /^repository index "ready" must be a boolean; got an array$/);
    expectError(await bad({ inputs, outputs: [{ name: 'nope' }] }), 400, /^unknown output "nope"; available: \{prob\}$/);
    expectError(await bad({ inputs, outputs: [{ name: 'prob', parameters: { binary_data: 'yes' } }] }), 400, /^output "prob" parameters\.binary_data must be a boolean; got the string "yes"$/);
    expectError(await bad({ inputs, parameters: { priority: 3 } }), 400, /^parameter "priority" is not supported/);
    expectError(await post('/v2/models/nope/infer', JSON.stringify({ inputs })), 404, /^model "nope" not found/);
    expectError(await post(`/v2/models/${model}/versions/9/infer`, JSON.stringify({ inputs })), 404, /version "9" not found/);
    // Binary extension errors.
    const { body, headerLength } = binaryBody(feed);
    expectError(await post(inferPath(), body.subarray(0, body.byteLength - 1), { 'Inference-Header-Content-Length': headerLength }), 400, /^inputs\[26\] \("dense_input"\): binary_data_size 104 runs past the binary data/);
    expectError(await post(inferPath(), Buffer.concat([body, Buffer.alloc(3)]), { 'Inference-Header-Content-Length': headerLength }), 400, /^the binary data after the JSON header is \d+ bytes but the inputs' binary_data_size add up to \d+$/);
    expectError(await post(inferPath(), body, { 'Inference-Header-Content-Length': body.byteLength + 1 }), 400, /^Inference-Header-Content-Length must be an integer in \[1, \d+\]/);
    expectError(await post(inferPath(), body, { 'Inference-Header-Content-Length': 'ten' }), 400, /^Inference-Header-Content-Length must be a byte count; got "ten"$/);
    expectError(await post(inferPath(), body.subarray(0, headerLength), { 'Content-Type': 'application/json' }), 400, /has parameters\.binary_data_size but the request has no Inference-Header-Content-Length header/);
    // Transport errors.
    expectError(await post(inferPath(), JSON.stringify({ inputs }), { 'Content-Type': 'text/plain' }), 415, /^Content-Type "text\/plain" is not supported without Inference-Header-Content-Length/);
    expectError(await post(inferPath(), Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)), 413, /over the 100000-byte limit \(--max_body_size\)/);
    const wrongMethod = await request('GET', inferPath());
    expectError(wrongMethod, 405, /^method GET is not allowed on .*\/infer; use POST$/);
    assert.equal(wrongMethod.headers.allow, 'POST');
    expectError(await post(`/v2/models/${model}`, '{}'), 405, /use GET$/);
    expectError(await request('GET', '/v2/nothing'), 404, /^no such path "\/v2\/nothing"/);
    expectError(await request('GET', `/v2/models/${model}/versions`), 404, /^no such path/);
    expectError(await request('GET', '/v2/models/%E0%A4%A/ready'), 400, /^path segment "%E0%A4%A" is not valid percent-encoding$/);
  });

  it('lists the repository and refuses load / unload without model control', async () => {
    const index = await post('/v2/repository/index', '{}');
    assert.equal(index.status, 200);
    assert.deepEqual(index.json(), [{ name: model, version: '1', state: 'READY', reason: '' }]);
    assert.deepEqual((await request('GET', '/v2/repository/index')).json(), index.json());
    expectError(await post('/v2/repository/index', '{"ready": 1}'), 400, /^repository index "ready" must be a boolean; got 1$/);
    expectError(await post(`/v2/repository/models/${model}/load`, ''), 400, /^cannot load model ".+": explicit model control is off \(--model_control_mode none\); restart with --model_control_mode explicit$/);
    expectError(await post(`/v2/repository/models/${model}/unload`, ''), 400, /^cannot unload model ".+" with --model_control_mode none: restart with --model_control_mode explicit$/);
    expectError(await request('GET', `/v2/repository/models/${model}/load`), 405, /use POST$/);
  });

  it('labels ctr_requests_total with kserve_http, and leaves Paddle\'s paths to Paddle', async () => {
    await post(inferPath(), JSON.stringify({ inputs: jsonInputs(criteoFeed(1)) }));
    const text = await t.server.ops.metrics.registry.getSingleMetricAsString('ctr_requests_total');
    assert.match(text, new RegExp(`ctr_requests_total\\{model="${model}",version="1",protocol="kserve_http",code="OK"\\} \\d+`));
    assert.match(text, /protocol="kserve_http",code="INVALID_ARGUMENT"\} \d+/);
    assert.match(text, /protocol="kserve_http",code="NOT_FOUND"\} \d+/);
    const paddle = await request('GET', '/v2x');
    assert.equal(paddle.status, 404);
    assert.equal(paddle.headers['content-type'], 'text/plain; charset=utf-8');
  });
});
