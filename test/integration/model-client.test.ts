/**
 * The public client (`connect`) against a real server: round robin over endpoints with one
 * retry on the next endpoint when nothing answers, option refusals with the reason, and
 * typed-array dtype inference.
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
  before(async () => { t = await startTestServer(); });
  after(() => t.stop());

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
    assert.throws(() => connect({ endpoints: t.target, protocol: 'http', model: 'x' }), /model\/modelVersion select a model over protocol "grpc" only/);
    assert.throws(() => connect({ endpoints: t.target, protocol: 'smtp' as 'grpc' }), /protocol: expected grpc, paddle-grpc, http or rpc; got "smtp"/);
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
