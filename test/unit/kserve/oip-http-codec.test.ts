import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServingError } from '../../../src/core/errors';
import { formatInferResponse, parseInferBody } from '../../../src/kserve/http/oip-http-codec';
import { routeOf } from '../../../src/kserve/http/oip-http-handler';

const invalid = (pattern: RegExp) => (error: unknown) => error instanceof ServingError && error.code === 3 && pattern.test(error.rawMessage);

describe('Open Inference Protocol REST bodies', () => {
  it('reads binary tensor data after the JSON header, in input order', () => {
    const header = Buffer.from(JSON.stringify({
      id: 'x',
      inputs: [
        { name: 'a', datatype: 'INT32', shape: [2], parameters: { binary_data_size: 8 } },
        { name: 'b', datatype: 'FP32', shape: [1], data: [0.5] },
        { name: 'c', datatype: 'UINT8', shape: [3], parameters: { binary_data_size: 3 } },
      ],
      outputs: [{ name: 'o', parameters: { binary_data: false } }, { name: 'p' }],
      parameters: { binary_data_output: true },
    }));
    const body = Buffer.concat([header, Buffer.from(new Int32Array([5, 6]).buffer), Buffer.from([1, 2, 3])]);
    const parsed = parseInferBody(body, header.byteLength, 'm', '');
    assert.equal(parsed.request.id, 'x');
    assert.deepEqual(Array.from(parsed.request.inputs[0].raw!), [5, 0, 0, 0, 6, 0, 0, 0]);
    assert.deepEqual(parsed.request.inputs[1].values, [0.5]);
    assert.deepEqual(Array.from(parsed.request.inputs[2].raw!), [1, 2, 3]);
    assert.equal(parsed.binaryOutput('o'), false, 'the output\'s own parameter wins');
    assert.equal(parsed.binaryOutput('p'), true, 'binary_data_output applies to the others');
  });

  it('refuses malformed bodies naming the field', () => {
    const parse = (value: unknown) => parseInferBody(Buffer.from(JSON.stringify(value)), undefined, 'm', '');
    assert.throws(() => parse({ inputs: [{ name: 1 }] }), invalid(/^inputs\[0\]\.name must be a string; got number 1$/));
    assert.throws(() => parse({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [1] }], outputs: {} }), invalid(/^"outputs" must be an array of requested outputs; got an object$/));
    assert.throws(() => parse({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [1] }], parameters: { x: [] } }), invalid(/^"parameters"\.x must be a boolean, number or string; got an array$/));
    assert.throws(() => parse({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [1] }], id: 5 }), invalid(/^"id" must be a string; got number 5$/));
    assert.throws(() => parse({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [1], parameters: { binary_data_size: 4 } }] }), invalid(/has both "data" and parameters\.binary_data_size/));
  });

  it('writes JSON outputs, or binary ones after the JSON header', () => {
    const outputs = [{ name: 'p', tensor: { dtype: 'float32' as const, dims: [2, 1], data: new Float32Array([0.1, 0.25]) } }];
    const json = formatInferResponse({ modelName: 'm', modelVersion: '1', id: '', outputs }, () => false);
    assert.equal(json.headerLength, undefined);
    assert.equal(json.body.toString(), '{"model_name":"m","model_version":"1","outputs":[{"name":"p","datatype":"FP32","shape":[2,1],"data":[0.1,0.25]}]}');
    const binary = formatInferResponse({ modelName: 'm', modelVersion: '1', id: 'q', outputs }, () => true);
    const head = '{"model_name":"m","model_version":"1","id":"q","outputs":[{"name":"p","datatype":"FP32","shape":[2,1],"parameters":{"binary_data_size":8}}]}';
    assert.equal(binary.headerLength, Buffer.byteLength(head));
    assert.equal(binary.body.subarray(0, binary.headerLength).toString(), head);
    assert.deepEqual(new Float32Array(Uint8Array.from(binary.body.subarray(binary.headerLength!)).buffer), new Float32Array([0.1, 0.25]));
  });

  it('routes the REST paths', () => {
    assert.deepEqual(routeOf('/v2'), { kind: 'server', what: 'metadata' });
    assert.deepEqual(routeOf('/v2/'), { kind: 'server', what: 'metadata' });
    assert.deepEqual(routeOf('/v2/health/ready'), { kind: 'server', what: 'ready' });
    assert.deepEqual(routeOf('/v2/models/a%2Fb/versions/3/infer'), { kind: 'model', model: 'a/b', version: '3', what: 'infer' });
    assert.deepEqual(routeOf('/v2/models/m'), { kind: 'model', model: 'm', version: '', what: 'metadata' });
    assert.deepEqual(routeOf('/v2/models/stats'), { kind: 'stats' });
    assert.deepEqual(routeOf('/v2/repository/models/m/unload'), { kind: 'control', model: 'm', action: 'unload' });
    for (const path of ['/v2/models', '/v2/models/', '/v2/models/m/versions', '/v2/models/m/explain', '/v2/health', '/v2/repository/models/m']) assert.equal(routeOf(path), undefined, path);
  });
});
