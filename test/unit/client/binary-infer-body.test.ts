/**
 * BinaryInferBody against the header built afresh with JSON.stringify for every call: the same
 * bytes and header length for ids (absent, empty, quoted characters), parameters, outputs, layouts
 * that change between calls (names, dtype, dims, byte size, output list, parameters) and dims
 * changed in place after a call; and the values follow each call's tensors while the cached
 * header is reused.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostTensor } from '../../../src/core/tensor';
import { DATATYPE_OF_DTYPE } from '../../../src/kserve/oip-tensors';
import { BinaryInferBody } from '../../../src/client/kserve/binary-infer-body';
import type { KServeInferOptions } from '../../../src/client/kserve/kserve-types';
import { criteoFeed } from '../../helpers/feeds';

/** The body as the REST client built it before the header was kept. */
function fresh(inputs: Readonly<Record<string, HostTensor>>, options: KServeInferOptions): { body: Buffer; headerBytes: number } {
  const names = Object.keys(inputs);
  const blobs = names.map((name) => Buffer.from(inputs[name].data.buffer, inputs[name].data.byteOffset, inputs[name].data.byteLength));
  const header = {
    ...(options.id === undefined || options.id === '' ? {} : { id: options.id }),
    parameters: { ...(options.parameters ?? {}), binary_data_output: true },
    inputs: names.map((name, i) => ({ name, shape: [...inputs[name].dims], datatype: DATATYPE_OF_DTYPE[inputs[name].dtype], parameters: { binary_data_size: blobs[i].byteLength } })),
    ...(options.outputs === undefined || options.outputs.length === 0 ? {} : { outputs: options.outputs.map((name) => ({ name })) }),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...blobs]), headerBytes: json.byteLength };
}

function same(writer: BinaryInferBody, inputs: Record<string, HostTensor>, options: KServeInferOptions, what: string): void {
  const got = writer.build(inputs, options);
  const want = fresh(inputs, options);
  assert.equal(got.headerBytes, want.headerBytes, what);
  assert.ok(got.body.equals(want.body), `${what}: ${got.body.subarray(0, got.headerBytes).toString()} vs ${want.body.subarray(0, want.headerBytes).toString()}`);
}

describe('BinaryInferBody', () => {
  it('writes what JSON.stringify and Buffer.concat write, call after call and layout after layout', () => {
    const writer = new BinaryInferBody();
    const feed = criteoFeed(5, 1000, 1);
    same(writer, feed, {}, 'no id, no outputs');
    same(writer, criteoFeed(5, 1000, 2), { id: '7', outputs: ['sigmoid_0.tmp_0'] }, 'an id and an output');
    same(writer, criteoFeed(5, 1000, 3), { id: '8', outputs: ['sigmoid_0.tmp_0'] }, 'the same layout, new values and id');
    same(writer, criteoFeed(5, 1000, 3), { id: 'q"u\\o\u00e9', outputs: ['sigmoid_0.tmp_0'] }, 'an id that JSON escapes');
    same(writer, criteoFeed(5, 1000, 3), { id: '', outputs: ['sigmoid_0.tmp_0'] }, 'an empty id');
    same(writer, criteoFeed(5, 1000, 3), { outputs: ['other'] }, 'another output');
    same(writer, criteoFeed(5, 1000, 3), { outputs: ['other', 'more'] }, 'one more output');
    same(writer, criteoFeed(5, 1000, 3), { parameters: { timeout: 5000 } }, 'a parameter');
    same(writer, criteoFeed(5, 1000, 3), { parameters: { timeout: 6000 } }, 'another parameter value');
    same(writer, criteoFeed(7, 1000, 3), {}, 'more rows');
    const renamed = criteoFeed(5, 1000, 4);
    renamed.X1 = renamed.C1;
    delete renamed.C1;
    same(writer, renamed, {}, 'an input renamed (and moved last)');
    const base = criteoFeed(5, 1000, 4);
    same(writer, base, {}, 'before a rename in place');
    same(writer, Object.fromEntries(Object.entries(base).map(([name, t], i) => [i === 0 ? 'X1' : name, t])), {}, 'the first input renamed, order and shapes kept');
    const retyped = criteoFeed(5, 1000, 4);
    retyped.dense_input = { dtype: 'float64', dims: [5, 13], data: new Float64Array(65).fill(0.25) };
    same(writer, retyped, {}, 'a dtype and byte size changed');
    const reshaped = criteoFeed(5, 1000, 4);
    same(writer, reshaped, {}, 'before an in-place change');
    (reshaped.dense_input.dims as number[])[1] = 1;
    (reshaped.dense_input.dims as number[])[0] = 65;
    same(writer, reshaped, {}, 'dims changed in place, same byte size');
  });
});
