/**
 * Paddle's WebService HTTP API on the serving port, as a Paddle user calls it with curl:
 * `POST /{name}/prediction` with `{"feed":[{...}, ...], "fetch":[...]}` answered with
 * `{"result": {<fetch>: [[...], ...]}}`, the same scores as Paddle's GeneralModelService, and
 * errors with the right status and the reason in `result`.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server';

function sample(i: number): Record<string, number | number[]> {
  const s: Record<string, number | number[]> = { dense_input: Array.from({ length: 13 }, (_, k) => (k + i) / 20) };
  for (let c = 1; c <= 26; c++) s[`C${c}`] = [(c * 7 + i) % 1000];
  return s;
}

describe('Paddle WebService /{name}/prediction', () => {
  let t: TestServer;
  let base: string;
  let name: string;
  before(async () => {
    t = await startTestServer();
    base = `http://${t.target}`;
    name = t.server.predictor.model().name;
  });
  after(() => t.stop());

  const post = (path: string, body: unknown, method = 'POST') => fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}) });

  it('answers {"result": {fetch: nested list}} with the scores Predict gives', async () => {
    const res = await post(`/${name}/prediction`, { feed: [sample(0), sample(1), sample(2)], fetch: ['sigmoid_0.tmp_0'] });
    assert.equal(res.status, 200);
    const body = await res.json() as { result: Record<string, number[][]> };
    const scores = body.result['sigmoid_0.tmp_0'];
    assert.equal(scores.length, 3);
    for (const row of scores) assert.equal(row.length, 1);
    const feed: Record<string, { dtype: 'int64' | 'float32'; dims: number[]; data: BigInt64Array | Float32Array }> = {
      dense_input: { dtype: 'float32', dims: [3, 13], data: Float32Array.from([0, 1, 2].flatMap((i) => sample(i).dense_input as number[])) },
    };
    for (let c = 1; c <= 26; c++) feed[`C${c}`] = { dtype: 'int64', dims: [3, 1], data: BigInt64Array.from([0, 1, 2].map((i) => BigInt((sample(i)[`C${c}`] as number[])[0]))) };
    const direct = await t.client.predict(feed);
    assert.deepEqual(scores.map((row) => row[0]), Array.from(direct.outputs['sigmoid_0.tmp_0'].data as Float32Array));
  });

  it('refuses bad requests with the status and the reason in "result"', async () => {
    const missing = await post(`/${name}/prediction`, { feed: [{ ...sample(0), C3: undefined }], fetch: [] });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { result: string }).result, /feed\[0\] lacks feed var "C3"/);
    const short = await post(`/${name}/prediction`, { feed: [{ ...sample(0), dense_input: [1, 2] }], fetch: [] });
    assert.equal(short.status, 400);
    assert.match(((await short.json()) as { result: string }).result, /feed\[0\] "dense_input": expected 13 value\(s\) \(shape \[13\]\); got 2/);
    const noFetch = await post(`/${name}/prediction`, { feed: [sample(0)] });
    assert.equal(noFetch.status, 400);
    assert.match(((await noFetch.json()) as { result: string }).result, /"fetch" must be a list/);
    const wrongName = await post('/uci/prediction', { feed: [sample(0)], fetch: [] });
    assert.equal(wrongName.status, 404);
    assert.match(((await wrongName.json()) as { result: string }).result, new RegExp(`no WebService named "uci"; this server's is "${name}"`));
    const get = await post(`/${name}/prediction`, undefined, 'GET');
    assert.equal(get.status, 405);
    await get.text();
  });
});
