/**
 * Paddle's JSON bodies: parsing what HttpClient sends and writing what Paddle's server writes.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ServingError } from '../../../src/core/errors';
import { formatJsonFloat32, formatPaddleJsonResponse, parsePaddleJsonRequest } from '../../../src/paddle/service/paddle-json';

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
    fails('{"tensor":5}', /^request field "tensor" must be an array of tensors; got 5$/);
    fails('{"tensor":[{"name":"d","float_data":[1,null],"shape":[1,2],"elem_type":1}]}', /^input "d": float_data\[1\] must be a number; got null$/);
    fails('{"tensor":[{"name":"d","float_data":[1],"shape":[5.5,1],"elem_type":1}]}', /^input "d": shape\[0\] must be an integer; got 5.5$/);
    fails('{"tensor":[{"name":"d","float_data":[1],"shape":["1","1"],"elem_type":1}]}', /^input "d": shape\[0\] must be an integer; got the string "1"$/);
    fails('{"tensor":[{"name":"d","float_data":[1],"shape":"1,1","elem_type":1}]}', /^input "d": shape must be an array; got the string "1,1"$/);
    fails('{"tensor":[{"name":"d","float_data":[1],"shape":[1,1],"elem_type":"1"}]}', /^input "d": elem_type must be an integer; got the string "1"$/);
    fails('{"tensor":[{"float_data":[1],"shape":[1,1],"elem_type":null}]}', /^tensor\[0\]: elem_type must be an integer; got null$/);
    fails('{"fetch_var_names":[null]}', /^request: fetch_var_names\[0\] must be a string; got null$/);
  });

  it('accepts int64 as integer strings and NaN / Infinity as protobuf JSON writes them (refused later, by validation)', () => {
    const request = parsePaddleJsonRequest('{"log_id":"7","tensor":[{"name":"C1","int64_data":["12",3],"shape":[2,1],"elem_type":0},{"name":"d","float_data":["NaN","-Infinity"],"shape":[1,2],"elem_type":1}]}');
    assert.deepEqual(Array.from(request.tensor[0].int64_data!, Number), [12, 3]);
    assert.ok(Number.isNaN(request.tensor[1].float_data![0]));
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
      assert.equal(Math.fround(Number(formatJsonFloat32(value))), value);
    }
    assert.equal(formatJsonFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatJsonFloat32(Number.NaN), '"NaN"');
    assert.equal(formatJsonFloat32(Number.NEGATIVE_INFINITY), '"-Infinity"');
  });
});
