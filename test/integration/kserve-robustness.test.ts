/**
 * Seeded malformed Open Inference Protocol requests against the real server: byte flips,
 * truncations, wrong header lengths and shuffled fields of valid JSON / binary REST bodies and of
 * valid ModelInferRequest messages. Every one must be answered with a client error (or, when the
 * mutation happens to keep it valid, a prediction), never INTERNAL / HTTP 500, never a hang, and
 * the server must keep serving valid requests with the same scores.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { GrpcUnaryChannel } from '../../src/client/grpc-unary-channel';
import { KServeGrpcClient } from '../../src/client/kserve/kserve-grpc-client';
import { ServingError } from '../../src/core/errors';
import type { HostTensor } from '../../src/core/tensor';
import { OIP_TYPES, oipPath } from '../../src/kserve/oip-messages';
import { criteoFeed } from '../helpers/feeds';
import { startTestServer, type TestServer } from '../helpers/test-server';

const SEED = 1130;
const CASES = 150;

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(bytes: Buffer, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  switch (Math.floor(random() * 4)) {
    case 0: return out.subarray(0, Math.floor(random() * out.byteLength));
    case 1: {
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) out[Math.floor(random() * out.byteLength)] = Math.floor(random() * 256);
      return out;
    }
    case 2: return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)))]);
    default: {
      const at = Math.floor(random() * out.byteLength);
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 16))]);
    }
  }
}

describe('malformed Open Inference Protocol requests', () => {
  let t: TestServer;
  let model: string;
  const feed: Record<string, HostTensor> = criteoFeed(3);
  const names = Object.keys(feed);
  before(async () => {
    t = await startTestServer();
    model = t.server.predictor.listModels()[0].name;
  });
  after(() => t.stop());

  const post = (body: Buffer, headers: http.OutgoingHttpHeaders) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, method: 'POST', path: `/v2/models/${model}/infer`, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });

  it(`answers ${CASES} mutated REST bodies with client errors and keeps serving (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const random = prng(SEED);
    const json = Buffer.from(JSON.stringify({ inputs: names.map((name) => ({ name, shape: [...feed[name].dims], datatype: feed[name].dtype === 'int64' ? 'INT64' : 'FP32', data: Array.from(feed[name].data as ArrayLike<number | bigint>, Number) })) }));
    const header = Buffer.from(JSON.stringify({ inputs: names.map((name) => ({ name, shape: [...feed[name].dims], datatype: feed[name].dtype === 'int64' ? 'INT64' : 'FP32', parameters: { binary_data_size: feed[name].data.byteLength } })), parameters: { binary_data_output: true } }));
    const binary = Buffer.concat([header, ...names.map((name) => Buffer.from(feed[name].data.buffer, feed[name].data.byteOffset, feed[name].data.byteLength))]);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const useBinary = random() < 0.5;
      const body = mutate(useBinary ? binary : json, random);
      const headerLength = useBinary ? (random() < 0.8 ? header.byteLength : Math.floor(random() * (body.byteLength + 10))) : undefined;
      const answer = await post(body, headerLength === undefined ? { 'Content-Type': 'application/json' } : { 'Inference-Header-Content-Length': headerLength });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      assert.ok([200, 400, 404].includes(answer.status), `case ${i}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
      if (answer.status !== 200) assert.match(answer.body, /^\{"error":".+"\}$/, `case ${i}`);
    }
    assert.ok((statuses.get(400) ?? 0) > CASES / 2, `mostly refused: ${JSON.stringify([...statuses])}`);
    const valid = await post(json, { 'Content-Type': 'application/json' });
    assert.equal(valid.status, 200);
  });

  it(`answers ${CASES} mutated ModelInferRequest messages without INTERNAL and keeps serving (seed ${SEED + 1})`, { timeout: 120_000 }, async () => {
    const random = prng(SEED + 1);
    const valid = Buffer.from(OIP_TYPES.ModelInfer.request.encode({
      model_name: model,
      inputs: names.map((name) => ({ name, datatype: feed[name].dtype === 'int64' ? 'INT64' : 'FP32', shape: [...feed[name].dims] })),
      raw_input_contents: names.map((name) => new Uint8Array(feed[name].data.buffer, feed[name].data.byteOffset, feed[name].data.byteLength)),
    }).finish());
    const channel = GrpcUnaryChannel.connect(t.target);
    const client = KServeGrpcClient.connect(t.target);
    try {
      const before = (await client.infer(model, feed)).outputs;
      const codes = new Map<number, number>();
      for (let i = 0; i < CASES; i++) {
        const code = await channel.unary(oipPath('ModelInfer'), mutate(valid, random), { deadlineMs: 10_000 }).then(() => 0, (error: unknown) => (error instanceof ServingError ? error.code : -1));
        codes.set(code, (codes.get(code) ?? 0) + 1);
        assert.ok([0, 3, 5, 11].includes(code), `case ${i}: gRPC code ${code}`);
      }
      assert.ok((codes.get(3) ?? 0) > CASES / 2, `mostly INVALID_ARGUMENT: ${JSON.stringify([...codes])}`);
      assert.deepEqual((await client.infer(model, feed)).outputs, before);
    } finally {
      channel.close();
      client.close();
    }
  });
});
