/**
 * The public client (`connect`) against real servers: calls balanced over two servers, a dead
 * endpoint skipped, every protocol (Paddle's and the Open Inference Protocol's included) giving
 * the same scores, option refusals with the reason, and typed-array dtype inference.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, connect, ServingError, type Tensor } from '../../src/index';
import { closedPort } from '../helpers/run-cli';
import { startTestServer, type TestServer } from '../helpers/test-server';

function deepFmFeed(rows: number): Record<string, Tensor> {
  const feed: Record<string, Tensor> = { dense_input: { data: new Float32Array(rows * 13), dims: [rows, 13] } };
  for (let i = 1; i <= 26; i++) feed[`C${i}`] = { data: new BigInt64Array(rows).fill(BigInt(i)), dims: [rows, 1] };
  return feed;
}

describe('connect()', () => {
  let t: TestServer;
  let second: TestServer;
  before(async () => { [t, second] = await Promise.all([startTestServer(), startTestServer()]); });
  after(() => Promise.all([t.stop(), second.stop()]));

  it('balances gRPC calls over every endpoint', async () => {
    const client = connect({ endpoints: [t.target, second.target], deadlineMs: 5000 });
    const success = [t, second].map((s) => s.server.ops.metrics.registry.getSingleMetric('nv_inference_request_success'));
    const count = async () => Promise.all(success.map(async (metric) => (await metric!.get()).values.reduce((sum, v) => sum + v.value, 0)));
    const before = await count();
    try {
      for (let i = 0; i < 8; i++) await client.predict(deepFmFeed(1));
    } finally {
      client.close();
    }
    const added = (await count()).map((n, i) => n - before[i]);
    assert.deepEqual(added, [4, 4], `calls per server: ${added.join(', ')}`);
  });

  it('gives the same scores over every protocol', async () => {
    const feed = deepFmFeed(3);
    const scores: Record<string, number[]> = {};
    for (const protocol of ['grpc', 'paddle-grpc', 'http', 'rpc', 'kserve-grpc', 'kserve-http'] as const) {
      const client = connect({ endpoints: t.target, protocol, deadlineMs: 5000 });
      try {
        scores[protocol] = [...((await client.predict(feed)).outputs['sigmoid_0.tmp_0'].data as Float32Array)];
      } finally {
        client.close();
      }
    }
    for (const [protocol, values] of Object.entries(scores)) assert.deepEqual(values, scores.grpc, protocol);
  });

  it('a dead endpoint in the list costs one retry, not a failure', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const client = connect({ endpoints: [dead, t.target], deadlineMs: 5000 });
    try {
      for (let i = 0; i < 4; i++) {
        const result = await client.predict(deepFmFeed(2));
        assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [2, 1]);
        assert.equal(result.outputs['sigmoid_0.tmp_0'].dtype, 'float32');
      }
    } finally {
      client.close();
    }
  });

  it('refuses options it cannot honour, naming them', async () => {
    assert.throws(() => connect({ endpoints: [] }), /endpoints: expected "host:port"/);
    assert.throws(() => connect({ endpoints: t.target, protocol: 'http', model: 'x' }), /model selects a model over protocols grpc, kserve-grpc and kserve-http; Paddle's http requests carry no model name/);
    assert.throws(() => connect({ endpoints: t.target, protocol: 'kserve-http', modelVersion: '1' }), /modelVersion selects a version over protocol "grpc" only/);
    assert.throws(() => connect({ endpoints: t.target, protocol: 'smtp' as 'grpc' }), /protocol: expected grpc, paddle-grpc, http, rpc, kserve-grpc, kserve-http; got "smtp"/);
    assert.throws(() => connect({ endpoints: t.target, maxAttempts: 9 }), /maxAttempts: expected an integer in \[1, 5\]/);
    const client = connect({ endpoints: t.target });
    try {
      await assert.rejects(client.predict({ ...deepFmFeed(2), dense_input: { data: new Float32Array(5), dims: [2, 13] } }),
        (error: ServingError) => error.code === Code.INVALID_ARGUMENT && /input "dense_input": dims \[2, 13\] hold 26 elements; the array has 5/.test(error.message));
      const meta = await client.metadata();
      assert.equal(meta.inputs.find((i) => i.alias === 'C1')?.dtype, 'int64');
    } finally {
      client.close();
    }
    await assert.rejects(client.predict(deepFmFeed(1)), /this client was closed/);
  });

  it('says UNAVAILABLE when no endpoint answers', async () => {
    const client = connect({ endpoints: [`127.0.0.1:${await closedPort()}`], deadlineMs: 2000 });
    try {
      await assert.rejects(client.predict(deepFmFeed(1)), (error: ServingError) => error.code === Code.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
