/**
 * Paddle's JSON bodies: parsing what HttpClient sends and writing what Paddle's server writes.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ServingError } from '../../../src/core/errors';
import { formatFloat32, formatPaddleJsonResponse, parsePaddleJsonRequest } from '../../../src/paddle/service/paddle-json';

describe('Paddle JSON', () => {
  it('parses the HttpClient layout, int64 as numbers or strings', () => {
    const request = parsePaddleJsonRequest('{"fetch_var_names":["prob"],"log_id":8,"tensor":[{"int64_data":[885100,"788726"],"shape":[2,1],"elem_type":0,"name":"C1","alias_name":"C1"}],"extra":1}');
    assert.deepEqual([...request.fetch_var_names], ['prob']);
    assert.equal(Number(request.log_id), 8);
    assert.deepEqual(Array.from(request.tensor[0].int64_data!, Number), [885100, 788726]);
    assert.deepEqual(Array.from(request.tensor[0].shape!), [2, 1]);
    assert.equal(request.tensor[0].name, 'C1');
  });

  it('refuses non-JSON, non-objects and wrongly typed fields with INVALID_ARGUMENT', () => {
    const fails = (text: string, message: RegExp) => assert.throws(() => parsePaddleJsonRequest(text), (e: unknown) => e instanceof ServingError && e.code === Code.INVALID_ARGUMENT && message.test(e.rawMessage));
    fails('{"tensor":[', /not valid JSON/);
    fails('[1,2]', /must be a JSON object .*got an array/);
    fails('{"tensor":5}', /not a Paddle Request: .*tensor/);
  });

  it('writes fields in number order, omits zero scalars and empty lists, shortest float32 values', () => {
    const text = formatPaddleJsonResponse({
      outputs: [{ tensor: [{ float_data: Float32Array.of(0.4066131, 1), int64_data: [], elem_type: 1, shape: [2, 1], name: 'sigmoid_0.tmp_0', alias_name: 'prob' }], engine_name: 'GeneralInferOp_0' }],
      profile_time: [1700000000000000, 1700000000016482],
      profile_server: false,
      log_id: 0,
    });
    assert.equal(text, '{"outputs":[{"tensor":[{"float_data":[0.4066131,1],"elem_type":1,"shape":[2,1],"name":"sigmoid_0.tmp_0","alias_name":"prob"}],"engine_name":"GeneralInferOp_0"}],"profile_time":[1700000000000000,1700000000016482]}');
    assert.equal(formatPaddleJsonResponse({ outputs: [{ tensor: [{ int64_data: [1, 2], shape: [2], name: 'ids' }], engine_name: 'E' }], profile_time: [], log_id: 5 }),
      '{"outputs":[{"tensor":[{"int64_data":[1,2],"shape":[2],"name":"ids"}],"engine_name":"E"}],"log_id":5}');
  });

  it('formats float32 values so they read back to the same float32', () => {
    for (const value of [0.1, 1 / 3, 123456.789, 1e-30, -2.5e20].map(Math.fround)) {
      assert.equal(Math.fround(Number(formatFloat32(value))), value);
    }
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(Number.NaN), '"NaN"');
    assert.equal(formatFloat32(Number.NEGATIVE_INFINITY), '"-Infinity"');
  });
});
