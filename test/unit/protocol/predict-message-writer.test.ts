/**
 * The client's PredictRequest writer writes the same bytes as protobufjs's reflection encoder for
 * the message it stands for, whatever the dtypes, sizes, names and buffer layouts; and refuses
 * dims or request ids it cannot write.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DType, HostTensor } from '../../../src/core/tensor';
import { DTYPE_TO_WIRE, decodePredictResponse, encodePredictRequest, encodePredictResponse } from '../../../src/protocol/predict-messages';
import { writePredictRequest, writePredictResponse, type PredictRequestFields } from '../../../src/protocol/predict-message-writer';

/** What the client sent before: the message object through protobufjs. */
function reference(feed: Record<string, HostTensor>, fetch: string[], fields: PredictRequestFields): Buffer {
  return encodePredictRequest({
    modelName: fields.modelName ?? '',
    modelVersion: fields.modelVersion ?? '',
    inputs: Object.keys(feed).map((name) => {
      const t = feed[name];
      return { name, dtype: DTYPE_TO_WIRE[t.dtype], shape: [...t.dims], rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
    }),
    outputNames: fetch,
    requestId: fields.requestId ?? 0,
  });
}

const MAKERS: Record<DType, (n: number, buffer?: ArrayBuffer, offset?: number) => HostTensor['data']> = {
  int64: (n, b, o = 0) => (b ? new BigInt64Array(b, o, n) : new BigInt64Array(n)),
  float32: (n, b, o = 0) => (b ? new Float32Array(b, o, n) : new Float32Array(n)),
  int32: (n, b, o = 0) => (b ? new Int32Array(b, o, n) : new Int32Array(n)),
  float64: (n, b, o = 0) => (b ? new Float64Array(b, o, n) : new Float64Array(n)),
  float16: (n, b, o = 0) => (b ? new Uint16Array(b, o, n) : new Uint16Array(n)),
  uint8: (n, b, o = 0) => (b ? new Uint8Array(b, o, n) : new Uint8Array(n)),
  int8: (n, b, o = 0) => (b ? new Int8Array(b, o, n) : new Int8Array(n)),
  bool: (n, b, o = 0) => (b ? new Uint8Array(b, o, n) : new Uint8Array(n)),
};

/** Deterministic pseudo-random bytes. */
function fill(data: HostTensor['data'], seed: number): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
}

describe('writePredictRequest', () => {
  it('writes what protobufjs writes for a batch-5 Criteo feed in one shared buffer', () => {
    const buffer = new ArrayBuffer(26 * 40 + 260);
    const feed: Record<string, HostTensor> = {};
    for (let c = 1; c <= 26; c++) {
      const data = MAKERS.int64(5, buffer, (c - 1) * 40);
      fill(data, c);
      feed[`C${c}`] = { dtype: 'int64', dims: [5, 1], data };
    }
    const dense = MAKERS.float32(65, buffer, 26 * 40);
    fill(dense, 99);
    feed.dense_input = { dtype: 'float32', dims: [5, 13], data: dense };
    assert.deepEqual(writePredictRequest(feed), reference(feed, [], {}));
    assert.deepEqual(writePredictRequest(feed, ['prob'], { requestId: 7 }), reference(feed, ['prob'], { requestId: 7 }));
  });

  it('writes what protobufjs writes for every dtype, size, name and field, over 300 seeded feeds', () => {
    const dtypes = Object.keys(MAKERS) as DType[];
    const names = ['x', 'ids', 'C1', 'ünïcødé', '名前', '', 'a'.repeat(200)];
    for (let seed = 1; seed <= 300; seed++) {
      const feed: Record<string, HostTensor> = {};
      const inputs = seed % 7;
      const shared = seed % 2 === 0 ? new ArrayBuffer(1 << 16) : undefined;
      let offset = 0;
      for (let i = 0; i < inputs; i++) {
        const dtype = dtypes[(seed + i) % dtypes.length];
        const rows = [0, 1, 5, 64, 300][(seed + 3 * i) % 5];
        const width = [1, 13, 3][(seed + i) % 3];
        const dims = (seed + i) % 11 === 0 ? [] : (seed + i) % 5 === 0 ? [rows] : [rows, width];
        const count = dims.reduce((a, b) => a * b, 1);
        const bytesPerElement = MAKERS[dtype](0).BYTES_PER_ELEMENT;
        offset = Math.ceil(offset / 8) * 8;
        const data = shared !== undefined && offset + count * bytesPerElement <= shared.byteLength ? MAKERS[dtype](count, shared, offset) : MAKERS[dtype](count);
        offset += count * bytesPerElement;
        fill(data, seed * 31 + i);
        feed[`${names[(seed + i) % names.length]}${i}`] = { dtype, dims, data };
      }
      const fetch = seed % 3 === 0 ? [] : ['prob', 'ünïcødé', ''].slice(0, seed % 4);
      const fields: PredictRequestFields = {
        modelName: seed % 4 === 0 ? undefined : ['', 'ctr', 'モデル'][seed % 3],
        modelVersion: seed % 5 === 0 ? '12' : undefined,
        requestId: [0, 1, 127, 128, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER][seed % 7],
      };
      assert.deepEqual(writePredictRequest(feed, fetch, fields), reference(feed, fetch, fields), `seed ${seed}`);
    }
  });

  it('reuses the bytes around the data only for the same names, dtypes, dims and byte lengths in the same order', () => {
    const int64 = (seed: number, n = 5) => {
      const data = MAKERS.int64(n);
      fill(data, seed);
      return data;
    };
    const base = (seed: number): Record<string, HostTensor> => ({ a: { dtype: 'int64', dims: [5, 1], data: int64(seed) } });
    const reshaped: HostTensor = { dtype: 'int64', dims: [5, 1], data: int64(9) };
    // Each variant right after the base layout, so the last layout kept is the one it differs from.
    const variants: Array<Record<string, HostTensor>> = [
      base(2), // same layout, other data
      { a: { dtype: 'int64', dims: [1, 5], data: int64(3) } }, // other dims, same byte length
      { a: { dtype: 'int64', dims: [5], data: int64(4) } }, // other rank
      { a: { dtype: 'float64', dims: [5, 1], data: MAKERS.float64(5) } }, // other dtype, same byte length
      { b: { dtype: 'int64', dims: [5, 1], data: int64(6) } }, // other name
      { a: { dtype: 'int64', dims: [5, 1], data: int64(7) }, b: { dtype: 'int64', dims: [5, 1], data: int64(8) } }, // more tensors
      { a: { dtype: 'int64', dims: [5, 1], data: int64(10, 6) } }, // data longer than its dims say
    ];
    const feeds = variants.flatMap((variant, i) => [base(100 + i), variant]);
    for (const [i, feed] of feeds.entries()) {
      assert.deepEqual(writePredictRequest(feed, [], { requestId: i }), reference(feed, [], { requestId: i }), `feed ${i}`);
    }
    // The same tensor object with its dims changed in place between calls (its layout made from it).
    writePredictRequest({ b: reshaped });
    assert.deepEqual(writePredictRequest({ a: reshaped }), reference({ a: reshaped }, [], {}));
    (reshaped.dims as number[]).splice(0, 2, 1, 5);
    assert.deepEqual(writePredictRequest({ a: reshaped }), reference({ a: reshaped }, [], {}));
  });

  it('writes dims of any size protobufjs writes as int64 varints', () => {
    for (const big of [127, 128, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, Number.MAX_SAFE_INTEGER]) {
      const feed: Record<string, HostTensor> = { x: { dtype: 'float32', dims: [0, big], data: new Float32Array(0) } };
      assert.deepEqual(writePredictRequest(feed), reference(feed, [], {}), `dim ${big}`);
    }
  });

  it('refuses a negative or fractional dim and request id with a RangeError naming it', () => {
    assert.throws(() => writePredictRequest({ x: { dtype: 'float32', dims: [1, -1], data: new Float32Array(0) } }), /a tensor dimension must be a non-negative safe integer; got -1/);
    assert.throws(() => writePredictRequest({}, [], { requestId: 1.5 }), /the request id must be a non-negative safe integer; got 1.5/);
  });

  it('writes a PredictResponse as protobufjs writes the body then the timing, for every dtype and timing value', () => {
    const dtypes = Object.keys(MAKERS) as DType[];
    const timings = [
      { startUs: 1764500000000000, endUs: 1764500000000123, queueUs: 0, computeUs: 87, executedBatchRows: 5 },
      { startUs: 0, endUs: 0, queueUs: 0, computeUs: 0, executedBatchRows: 0 },
      { startUs: -5, endUs: 2 ** 53 - 1, queueUs: 128, computeUs: 1, executedBatchRows: 2048 },
    ];
    for (let seed = 1; seed <= 120; seed++) {
      const outputs = Array.from({ length: seed % 4 }, (_, i) => {
        const dtype = dtypes[(seed + i) % dtypes.length];
        const rows = [0, 1, 5, 300][(seed + i) % 4];
        const data = MAKERS[dtype](rows);
        fill(data, seed + i);
        return { name: ['prob', 'ünï', '', 'y'][(seed + i) % 4], tensor: { dtype, dims: (seed + i) % 5 === 0 ? [] : [rows, 1], data } as HostTensor };
      });
      const fields = { modelName: ['', 'ctr', 'モデル'][seed % 3], modelVersion: ['', '1', '12'][seed % 3], outputs, requestId: [0, 7, 2 ** 40 + 1][seed % 3] };
      const timing = timings[seed % timings.length];
      const body = encodePredictResponse({
        modelName: fields.modelName, modelVersion: fields.modelVersion, requestId: fields.requestId,
        outputs: outputs.map((o) => ({ name: o.name, dtype: DTYPE_TO_WIRE[o.tensor.dtype], shape: [...o.tensor.dims], rawData: new Uint8Array(o.tensor.data.buffer, o.tensor.data.byteOffset, o.tensor.data.byteLength) })),
      });
      const expected = Buffer.concat([body, encodePredictResponse({ timing })]);
      let asked = 0;
      const written = writePredictResponse(fields, () => {
        asked++;
        return timing;
      });
      assert.deepEqual(written, expected, `seed ${seed}`);
      assert.equal(asked, 1);
      assert.equal(Number(decodePredictResponse(written).timing!.endUs), timing.endUs);
    }
  });

  it('asks for the timing only after every other field is written', () => {
    const order: string[] = [];
    const data = new Float32Array(5);
    writePredictResponse({ modelName: 'ctr', modelVersion: '1', outputs: [{ name: 'prob', get tensor() { order.push('outputs'); return { dtype: 'float32', dims: [5, 1], data } as HostTensor; } }], requestId: 3 }, () => {
      order.push('timing');
      return { startUs: 1, endUs: 2, queueUs: 0, computeUs: 0, executedBatchRows: 5 };
    });
    assert.equal(order[order.length - 1], 'timing');
  });
});
