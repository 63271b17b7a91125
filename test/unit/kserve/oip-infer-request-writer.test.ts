/**
 * The direct ModelInferRequest writer against protobufjs's encoder of the same request: seeded
 * random feeds (every dtype, ranks 0-3, dims up to 300 so the shape's varints take two bytes,
 * tensors at offsets in shared buffers, non-ASCII names) with and without model version, id
 * and requested outputs give identical bytes; a Criteo batch-5 feed too.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_DTYPES, BYTES_PER_ELEMENT, view, type DType, type HostTensor } from '../../../src/core/tensor';
import { DATATYPE_OF_DTYPE } from '../../../src/kserve/oip-tensors';
import { OIP_TYPES } from '../../../src/kserve/oip-messages';
import { writeModelInferRequest, type ModelInferRequestFields } from '../../../src/kserve/oip-infer-request-writer';
import { criteoFeed } from '../../helpers/feeds';

function protobufjsBytes(fields: ModelInferRequestFields): Buffer {
  const names = Object.keys(fields.inputs);
  return Buffer.from(OIP_TYPES.ModelInfer.request.encode({
    model_name: fields.modelName,
    model_version: fields.modelVersion ?? '',
    id: fields.id ?? '',
    parameters: {},
    inputs: names.map((name) => ({ name, datatype: DATATYPE_OF_DTYPE[fields.inputs[name].dtype], shape: [...fields.inputs[name].dims] })),
    outputs: (fields.outputs ?? []).map((name) => ({ name })),
    raw_input_contents: names.map((name) => {
      const { data } = fields.inputs[name];
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }),
  }).finish());
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFeed(next: () => number): Record<string, HostTensor> {
  const count = 1 + Math.floor(next() * 5);
  // One buffer for all tensors, each at an 8-byte aligned offset, as rec-client's Criteo batches are.
  const specs = Array.from({ length: count }, (_v, i) => {
    const dtype = ALL_DTYPES[Math.floor(next() * ALL_DTYPES.length)] as DType;
    const rank = Math.floor(next() * 4);
    const dims = Array.from({ length: rank }, () => (next() < 0.2 ? 300 : Math.floor(next() * 4)));
    const name = i === 0 && next() < 0.3 ? `é_${i}` : `in_${i}`;
    return { name, dtype, dims, elements: dims.reduce((a, b) => a * b, 1) };
  });
  const bytes = specs.reduce((sum, s) => sum + ((s.elements * BYTES_PER_ELEMENT[s.dtype] + 7) & ~7), 8);
  const buffer = new ArrayBuffer(bytes);
  new Uint8Array(buffer).forEach((_v, i, all) => (all[i] = Math.floor(next() * 256)));
  const feed: Record<string, HostTensor> = {};
  let offset = 8;
  for (const s of specs) {
    feed[s.name] = { dtype: s.dtype, dims: s.dims, data: view(s.dtype, buffer, offset, s.elements) };
    offset += (s.elements * BYTES_PER_ELEMENT[s.dtype] + 7) & ~7;
  }
  return feed;
}

describe('writeModelInferRequest', () => {
  it('writes what protobufjs writes for random feeds, with and without version, id and outputs', () => {
    const next = random(20261201);
    for (let i = 0; i < 300; i++) {
      const fields: ModelInferRequestFields = {
        modelName: next() < 0.1 ? '' : 'serving_server',
        ...(next() < 0.5 ? { modelVersion: next() < 0.5 ? '' : '1' } : {}),
        ...(next() < 0.5 ? { id: next() < 0.5 ? '' : `req-${i}` } : {}),
        inputs: randomFeed(next),
        ...(next() < 0.5 ? { outputs: next() < 0.3 ? [] : ['sigmoid_0.tmp_0', ...(next() < 0.5 ? ['second'] : [])] } : {}),
      };
      assert.deepEqual(writeModelInferRequest(fields), protobufjsBytes(fields), `case ${i}`);
    }
  });

  it('writes a Criteo batch-5 request as protobufjs does', () => {
    const fields: ModelInferRequestFields = { modelName: 'serving_server', inputs: criteoFeed(5, 1000, 7) };
    assert.deepEqual(writeModelInferRequest(fields), protobufjsBytes(fields));
  });
});
