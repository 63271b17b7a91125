import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServingError } from '../../../src/core/errors';
import { decodeOipInputs, dtypeOfDatatype, tensorFromValues, valuesToJson } from '../../../src/kserve/oip-tensors';

const invalid = (pattern: RegExp) => (error: unknown) => error instanceof ServingError && error.code === 3 && pattern.test(error.rawMessage);

describe('Open Inference Protocol tensors', () => {
  it('maps datatype names onto core dtypes and refuses the others by name', () => {
    assert.equal(dtypeOfDatatype('x', 'INT64'), 'int64');
    assert.equal(dtypeOfDatatype('x', 'FP32'), 'float32');
    assert.equal(dtypeOfDatatype('x', 'BOOL'), 'bool');
    assert.throws(() => dtypeOfDatatype('x', 'fp32'), invalid(/^input "x": datatype "fp32" is not supported; expected one of BOOL, UINT8, INT8, INT32, INT64, FP16, FP32, FP64$/));
    assert.throws(() => dtypeOfDatatype('y', 'UINT64', 'output'), invalid(/^output "y": datatype "UINT64"/));
  });

  it('builds tensors from flat or nested values, checking count, type and range', () => {
    const nested = tensorFromValues('a', 'int64', [2, 2], [[1, 2], [3, 4]], 'data');
    assert.deepEqual(Array.from(nested.data as BigInt64Array), [1n, 2n, 3n, 4n]);
    assert.deepEqual(Array.from(tensorFromValues('b', 'bool', [1, 2], [true, false], 'data').data as Uint8Array), [1, 0]);
    assert.deepEqual(Array.from(tensorFromValues('c', 'float32', [1, 2], [0.5, -1], 'data').data as Float32Array), [0.5, -1]);
    assert.throws(() => tensorFromValues('a', 'int64', [2, 2], [1, 2, 3], 'data'), invalid(/^input "a": shape \[2,2\] needs 4 values; got 3 in data$/));
    let deep: unknown = [1];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.deepEqual(Array.from(tensorFromValues('d', 'int32', [1], deep as unknown[], 'data').data as Int32Array), [1], 'any nesting depth, no stack overflow');
    assert.throws(() => tensorFromValues('a', 'int8', [1, 1], [200], 'contents.int_contents'), invalid(/^input "a": contents\.int_contents\[0\] is 200; expected an integer in \[-128, 127\] \(INT8\)$/));
    assert.throws(() => tensorFromValues('a', 'int64', [1, 1], [1.5], 'data'), invalid(/data\[0\] is 1\.5; expected an integer/));
    assert.throws(() => tensorFromValues('a', 'bool', [1, 1], [1], 'data'), invalid(/data\[0\] is 1; expected true or false \(BOOL\)$/));
    assert.throws(() => tensorFromValues('a', 'float32', [1, 1], [null], 'data'), invalid(/data\[0\] is null; expected a number \(FP32\)$/));
    assert.throws(() => tensorFromValues('a', 'float16', [1, 1], [1], 'data'), invalid(/^input "a": FP16 values must be sent as raw bytes/));
  });

  it('decodes raw and value inputs in order, reporting the first bad one', () => {
    const raw = Buffer.from(new BigInt64Array([7n, 8n]).buffer);
    const decoded = decodeOipInputs([
      { name: 'r', datatype: 'INT64', shape: [2, 1], raw },
      { name: 'v', datatype: 'FP32', shape: [2, 1], values: [1, 2] },
    ]);
    assert.deepEqual(decoded.map((d) => [d.name, d.tensor.dtype, [...d.tensor.dims]]), [['r', 'int64', [2, 1]], ['v', 'float32', [2, 1]]]);
    assert.deepEqual(Array.from(decoded[0].tensor.data as BigInt64Array), [7n, 8n]);
    assert.throws(() => decodeOipInputs([{ name: 'r', datatype: 'INT64', shape: [2, 1], raw: raw.subarray(1) }]), invalid(/^input "r": shape \[2,1\] of int64 needs 16 bytes; got 15$/));
    assert.throws(() => decodeOipInputs([{ name: 's', datatype: 'INT64', shape: ['2'], values: [1, 2] }]), invalid(/^input "s": shape must be a list of non-negative integers; got \["2"\]$/));
  });

  it('writes values as JSON: shortest float32, exact int64, booleans', () => {
    const format = (v: number) => String(Math.fround(v) === v ? v : v);
    assert.equal(valuesToJson({ dtype: 'int64', dims: [2], data: new BigInt64Array([2n ** 60n, -1n]) }, format), '[1152921504606846976,-1]');
    assert.equal(valuesToJson({ dtype: 'bool', dims: [2], data: new Uint8Array([1, 0]) }, format), '[true,false]');
  });
});
