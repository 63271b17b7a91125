/**
 * Paddle Tensor <-> core tensors: binding by name, elem_type mapping, lossless conversions only.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelSignature } from '../../../src/core/model-signature';
import { SignatureIndex } from '../../../src/core/validate-request';
import { FeedArena, decodePaddleFeed, encodePaddleFetch } from '../../../src/paddle/service/paddle-tensor-codec';

const signature: ModelSignature = {
  inputs: [
    { name: 'C1', alias: 'slot_1', dtype: 'int64', shape: [1] },
    { name: 'ids32', alias: 'ids32', dtype: 'int32', shape: [1] },
    { name: 'dense', alias: 'dense', dtype: 'float32', shape: [2] },
  ],
  outputs: [{ name: 'out', alias: 'prob', dtype: 'float32', shape: [1] }],
};
const index = new SignatureIndex(signature);
const invalid = (fn: () => unknown, message: RegExp) => assert.throws(fn, (e: Error) => message.test(e.message));

describe('Paddle tensor codec', () => {
  it('decodes int64_data into a BigInt64Array, bound by the real name', () => {
    const { name, tensor } = decodePaddleFeed({ int64_data: [3, 9007199254740991], shape: [2, 1], elem_type: 0, name: 'C1', alias_name: 'slot_1' }, index);
    assert.equal(name, 'C1');
    assert.ok(tensor.data instanceof BigInt64Array);
    assert.deepEqual([...(tensor.data as BigInt64Array)], [3n, 9007199254740991n]);
  });

  it('refuses an int64 id beyond 2^53 - 1 (read as a rounded double) instead of serving a neighbouring id', () => {
    // protobufjs and JSON.parse read 64-bit integers as doubles: 2^53 + 1 arrives as 2^53.
    for (const value of [2 ** 53, -(2 ** 53), 2 ** 62]) {
      assert.throws(() => decodePaddleFeed({ int64_data: [1, value], shape: [2, 1], elem_type: 0, name: 'C1' }, index),
        (error: Error) => /input "C1".*value -?\d+ at index 1 is beyond ±\(2\^53 - 1\)/.test(error.message));
    }
    assert.throws(() => decodePaddleFeed({ int64_data: [1.5], shape: [1, 1], elem_type: 0, name: 'C1' }, index), /value 1.5 at index 0 is not an integer/);
  });

  it('decodes a request\'s feeds into one shared buffer, each view 8-byte aligned, values intact', () => {
    const tensors = [
      { int64_data: [1, 2, 3], shape: [3, 1], elem_type: 0, name: 'C1' },
      { float_data: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], shape: [3, 2], elem_type: 1, name: 'dense' },
      { int_data: [7, 8, 9], shape: [3, 1], elem_type: 2, name: 'ids32' },
    ];
    const arena = FeedArena.forTensors(tensors);
    const feeds = tensors.map((t) => decodePaddleFeed(t, index, arena).tensor);
    assert.equal(feeds[0].data.buffer, feeds[1].data.buffer);
    assert.equal(feeds[1].data.buffer, feeds[2].data.buffer);
    for (const feed of feeds) assert.equal(feed.data.byteOffset % 8, 0);
    assert.deepEqual([...(feeds[0].data as BigInt64Array)], [1n, 2n, 3n]);
    assert.deepEqual([...(feeds[1].data as Float32Array)], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    assert.deepEqual([...(feeds[2].data as Int32Array)], [7, 8, 9]);
  });

  it('writes int64 ids at their own place in a shared arena: after other inputs, int32-sized and beyond, below zero', () => {
    const values = [0, -1, 2147483647, -2147483648, 2147483648, -2147483649, 2 ** 40 + 7, -(2 ** 53 - 1), 2 ** 53 - 1, 5];
    const tensors = [
      { float_data: [0.5, 1.5, 2.5], shape: [1, 3], elem_type: 1, name: 'dense' },
      { int64_data: values.slice(0, 5), shape: [5, 1], elem_type: 0, name: 'C1' },
      { int_data: [-7], shape: [1, 1], elem_type: 2, name: 'C1' },
      { int64_data: values.slice(5), shape: [5, 1], elem_type: 0, name: 'C1' },
    ];
    const arena = FeedArena.forTensors(tensors);
    const feeds = tensors.map((t) => decodePaddleFeed(t, index, arena).tensor);
    assert.equal(feeds[1].data.buffer, feeds[0].data.buffer, 'one arena');
    assert.deepEqual([...(feeds[0].data as Float32Array)], [0.5, 1.5, 2.5]);
    assert.deepEqual([...(feeds[1].data as BigInt64Array)], values.slice(0, 5).map(BigInt));
    assert.deepEqual([...(feeds[2].data as BigInt64Array)], [-7n]);
    assert.deepEqual([...(feeds[3].data as BigInt64Array)], values.slice(5).map(BigInt));
  });

  it('allocates per input when a request is too large for the arena or its shape is not a size', () => {
    const huge = [{ int64_data: [1], shape: [1 << 20, 1], elem_type: 0, name: 'C1' }];
    const small = { int64_data: [4, 5], shape: [2, 1], elem_type: 0, name: 'C1' };
    const a = decodePaddleFeed(small, index, FeedArena.forTensors(huge)).tensor;
    const b = decodePaddleFeed(small, index, FeedArena.forTensors([{ shape: [-1, 1] }])).tensor;
    assert.equal(a.data.byteLength, a.data.buffer.byteLength, 'its own buffer');
    assert.equal(b.data.byteLength, b.data.buffer.byteLength, 'its own buffer');
    assert.deepEqual([...(a.data as BigInt64Array)], [4n, 5n]);
  });

  it('keeps every safe int64 exactly, around the 32-bit word boundaries and below zero', () => {
    const values = [0, 1, 2147483647, 2147483648, 4294967295, 4294967296, 123456789012, -1, -2147483649, -9007199254740991];
    const { tensor } = decodePaddleFeed({ int64_data: values, shape: [values.length, 1], elem_type: 0, name: 'C1' }, index);
    assert.deepEqual([...(tensor.data as BigInt64Array)], values.map((v) => BigInt(v)));
  });

  it('converts exactly representable values and refuses the rest, naming input, types and value', () => {
    const widened = decodePaddleFeed({ int_data: [1, 2], shape: [2, 1], elem_type: 2, name: 'C1' }, index);
    assert.deepEqual([...(widened.tensor.data as BigInt64Array)], [1n, 2n]);
    const narrowed = decodePaddleFeed({ int64_data: [7], shape: [1, 1], elem_type: 0, name: 'ids32' }, index);
    assert.deepEqual([...(narrowed.tensor.data as Int32Array)], [7]);
    invalid(() => decodePaddleFeed({ int64_data: [2 ** 40], shape: [1, 1], elem_type: 0, name: 'ids32' }, index),
      /input "ids32": elem_type 0 \(INT64\) cannot be converted to the model's int32 without losing data: value 1099511627776 at index 0 would become 0/);
    invalid(() => decodePaddleFeed({ float64_data: [0.1, 1], shape: [1, 2], elem_type: 3, name: 'dense' }, index), /elem_type 3 \(FP64\) cannot be converted to the model's float32 without losing data: value 0.1 at index 0/);
    const dense = decodePaddleFeed({ float64_data: [0.5, 1], shape: [1, 2], elem_type: 3, name: 'dense' }, index);
    assert.deepEqual([...(dense.tensor.data as Float32Array)], [0.5, 1]);
  });

  it('refuses counts that do not match the shape, LoD, STRING and unknown codes', () => {
    invalid(() => decodePaddleFeed({ float_data: [1, 2, 3], shape: [1, 2], elem_type: 1, name: 'dense' }, index), /input "dense": shape \[1,2\] needs 2 float_data values; got 3/);
    invalid(() => decodePaddleFeed({ int64_data: [1], shape: [1, 1], lod: [0, 1], name: 'C1' }, index), /LoD \(variable-length\) tensors are not supported/);
    invalid(() => decodePaddleFeed({ data: ['a'], shape: [1, 1], elem_type: 20, name: 'C1' }, index), /elem_type 20 \(STRING\) is not supported/);
    invalid(() => decodePaddleFeed({ shape: [1, 1], elem_type: 42, name: 'C1' }, index), /elem_type 42 is not supported/);
    invalid(() => decodePaddleFeed({ tensor_content: new Uint8Array(3), shape: [1, 1], elem_type: 7, name: 'C1' }, index), /needs 1 bytes of tensor_content; got 3/);
  });

  it('encodes outputs with name, alias, shape, elem_type and the typed field', () => {
    const message = encodePaddleFetch(signature.outputs[0], { dtype: 'float32', dims: [2, 1], data: Float32Array.of(0.25, 0.5) });
    assert.deepEqual({ ...message, float_data: Array.from(message.float_data!) }, { elem_type: 1, shape: [2, 1], name: 'out', alias_name: 'prob', float_data: [0.25, 0.5] });
    const ids = encodePaddleFetch({ name: 'i', alias: 'i', dtype: 'int64', shape: [1] }, { dtype: 'int64', dims: [1, 1], data: BigInt64Array.of(5n) });
    assert.deepEqual(ids.int64_data, [5]);
    assert.equal(ids.elem_type, 0);
  });
});
