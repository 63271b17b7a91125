/**
 * Paddle's HTTP/1.1 front end refuses what protobufjs would otherwise coerce (null values,
 * fractional or string shapes, string elem_types), bodies of a non-JSON content type, caps echoed
 * client strings at 1 KiB, and treats a client that leaves mid-body as a cancellation (not an
 * INTERNAL error, not an ERROR log line). Real server, tiny DeepFM.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { paddleJsonBody, paddleRequestObject } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('Paddle HTTP strictness', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ flags: ['--enable_prometheus', '--prometheus_port', '0'] });
  });
  after(() => t.stop());

  const post = (body: string, headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' }) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, path: '/GeneralModelService/inference', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
  /** The DeepFM request with one tensor's fields replaced. */
  const withTensor = (name: string, patch: Record<string, unknown>) => {
    const request = paddleRequestObject(criteoFeed(2));
    const tensors = request.tensor.map((tensor) => (tensor.name === name ? { ...tensor, ...patch } : tensor));
    return JSON.stringify({ ...request, tensor: tensors });
  };
  const refused = async (body: string, message: RegExp, headers?: http.OutgoingHttpHeaders, status = 400) => {
    const answer = await post(body, headers);
    assert.equal(answer.status, status, answer.text);
    assert.match(answer.text.trimEnd(), message);
  };

  it('refuses null values instead of reading them as 0', async () => {
    const dense = Array.from(criteoFeed(2).dense_input.data as Float32Array) as Array<number | null>;
    dense[4] = null;
    await refused(withTensor('dense_input', { float_data: dense }), /^input "dense_input": float_data\[4\] must be a number; got null$/);
    await refused(withTensor('C3', { int64_data: [1, null] }), /^input "C3": int64_data\[1\] must be an integer \(number or integer string\); got null$/);
  });

  it('refuses fractional and string shapes and a string elem_type', async () => {
    await refused(withTensor('C1', { shape: [5.5, 1] }), /^input "C1": shape\[0\] must be an integer; got 5.5$/);
    await refused(withTensor('C1', { shape: ['2', '1'] }), /^input "C1": shape\[0\] must be an integer; got the string "2"$/);
    await refused(withTensor('C1', { shape: '2,1' }), /^input "C1": shape must be an array; got the string "2,1"$/);
    await refused(withTensor('C1', { elem_type: '0' }), /^input "C1": elem_type must be an integer; got the string "0"$/);
  });

  it('refuses a body of a non-JSON content type, and reads curl\'s default form type as JSON', async () => {
    await refused(paddleJsonBody(criteoFeed(1)), /^Content-Type "text\/plain" is not supported; use application\/json or application\/proto$/, { 'Content-Type': 'text/plain' }, 415);
    await refused('C1=3', /^Content-Type "application\/octet-stream" is not supported/, { 'Content-Type': 'application/octet-stream' }, 415);
    const curl = await post(paddleJsonBody(criteoFeed(1)), { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(curl.status, 200, curl.text);
  });

  it('caps an echoed client string at 1 KiB, as gRPC details are', async () => {
    const longName = 'x'.repeat(1024 * 1024);
    const answer = await post(JSON.stringify({ ...paddleRequestObject(criteoFeed(1)), fetch_var_names: [longName] }));
    assert.equal(answer.status, 400);
    assert.match(answer.text, /^unknown output "xxxx/);
    assert.ok(answer.text.trimEnd().length <= 1024, `error body is ${answer.text.length} characters`);
    assert.ok(answer.text.trimEnd().endsWith('...'));
  });

  it('counts a client that disconnects mid-body as CANCELLED, without an ERROR log line', async () => {
    const scrape = async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());
    const count = (samples: ReturnType<typeof parsePrometheusText>, code: string) => sampleValue(samples, 'ctr_requests_total', { protocol: 'paddle_http', code });
    const before = await scrape();
    const socket = net.connect({ host: '127.0.0.1', port: t.server.port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const head = 'POST /GeneralModelService/inference HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"tensor":[';
    await new Promise<void>((resolve) => socket.write(head, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    let after = before;
    for (let attempt = 0; attempt < 100 && count(after, 'CANCELLED') === count(before, 'CANCELLED'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await scrape();
    }
    assert.equal(count(after, 'CANCELLED') - count(before, 'CANCELLED'), 1);
    assert.equal(count(after, 'INTERNAL'), count(before, 'INTERNAL'));
    assert.deepEqual(t.logLines.filter((line) => / ERROR /.test(line)), []);
  });
});
