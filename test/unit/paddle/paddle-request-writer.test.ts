/**
 * The client's Paddle Request writer writes the bytes protobufjs writes for the message
 * `buildPaddleRequest` builds (every dtype, real names from a signature, empty tensors, fetch
 * names, log ids), and keeps int64 ids beyond 2^53 exact.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from '../../helpers/fuzz/prng';
import { buildPaddleRequest } from '../../../src/client/paddle-wire-codec';
import type { ModelSignature } from '../../../src/core/model-signature';
import type { DType, HostTensor } from '../../../src/core/tensor';
import { decodePaddleRequest } from '../../../src/paddle/service/paddle-request-decoder';
import { encodePaddleRequest } from '../../../src/paddle/service/paddle-messages';
import { writePaddleRequest } from '../../../src/paddle/service/paddle-request-writer';

/** Seeded uniform numbers in [0, 1) (the fuzz suite's PRNG). */
function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

function tensorOf(dtype: DType, dims: number[], random: () => number): HostTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const safe = () => Math.floor((random() - 0.5) * 2 ** (random() < 0.5 ? 20 : 53));
  switch (dtype) {
    case 'int64': return { dtype, dims, data: BigInt64Array.from({ length: n }, () => BigInt(safe())) };
    case 'int32': return { dtype, dims, data: Int32Array.from({ length: n }, () => (random() - 0.5) * 2 ** 32) };
    case 'float32': return { dtype, dims, data: Float32Array.from({ length: n }, () => (random() - 0.5) * 1e6) };
    case 'float64': return { dtype, dims, data: Float64Array.from({ length: n }, () => (random() - 0.5) * 1e12) };
    case 'bool': return { dtype, dims, data: Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0)) };
    case 'float16': return { dtype, dims, data: Uint16Array.from({ length: n }, () => random() * 65535) };
    case 'uint8': return { dtype, dims, data: Uint8Array.from({ length: n }, () => random() * 255) };
    case 'int8': return { dtype, dims, data: Int8Array.from({ length: n }, () => (random() - 0.5) * 255) };
  }
}

const DTYPES: DType[] = ['int64', 'float32', 'int32', 'float64', 'bool', 'float16', 'uint8', 'int8'];

describe('writePaddleRequest', () => {
  it('writes what protobufjs writes for buildPaddleRequest\'s message, over 300 seeded feeds', () => {
    const signature = { inputs: [{ name: 'real_C1', alias: 'C1' }, { name: 'dense_input', alias: 'dense' }], outputs: [] } as unknown as ModelSignature;
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed);
      const feed: Record<string, HostTensor> = {};
      const inputs = Math.floor(random() * 6);
      for (let i = 0; i < inputs; i++) {
        const rows = [0, 1, 5, 33][Math.floor(random() * 4)];
        const dims = random() < 0.15 ? [] : random() < 0.3 ? [rows] : [rows, 1 + Math.floor(random() * 13)];
        feed[['C1', 'dense', 'x', 'ünï', ''][i % 5] + (i >= 5 ? String(i) : '')] = tensorOf(DTYPES[Math.floor(random() * DTYPES.length)], dims, random);
      }
      const fetch = ['prob', 'ünï', ''].slice(0, seed % 4);
      const logId = [0, 1, 2 ** 31, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER][seed % 5];
      const sig = seed % 2 === 0 ? signature : undefined;
      const expected = Buffer.from(encodePaddleRequest(buildPaddleRequest(feed, fetch, logId, sig)));
      assert.deepEqual(writePaddleRequest(feed, fetch, logId, sig), expected, `seed ${seed}`);
    }
  });

  it('reuses the bytes around the values only for the same aliases, dtypes, dims and signature in the same order', () => {
    const random = rng(7);
    const signature = { inputs: [{ name: 'real_a', alias: 'a' }], outputs: [] } as unknown as ModelSignature;
    const other = { inputs: [{ name: 'other_a', alias: 'a' }], outputs: [] } as unknown as ModelSignature;
    const base = (): Record<string, HostTensor> => ({ a: tensorOf('int64', [5, 1], random) });
    const reshaped = tensorOf('int64', [5, 1], random);
    const variants: Array<[Record<string, HostTensor>, ModelSignature | undefined]> = [
      [base(), signature], // same layout, other values
      [{ a: tensorOf('int64', [1, 5], random) }, signature], // other dims
      [{ a: tensorOf('int64', [5], random) }, signature], // other rank
      [{ a: tensorOf('float64', [5, 1], random) }, signature], // other dtype
      [{ b: tensorOf('int64', [5, 1], random) }, signature], // other alias
      [base(), other], // other signature: other real name
      [base(), undefined], // no signature
      [{ a: tensorOf('int64', [5, 1], random), b: tensorOf('int64', [5, 1], random) }, signature], // more inputs
    ];
    for (const [i, [feed, sig]] of variants.entries()) {
      for (const [f, g] of [[base(), signature], [feed, sig]] as const) {
        const expected = Buffer.from(encodePaddleRequest(buildPaddleRequest(f, ['prob'], i + 1, g)));
        assert.deepEqual(writePaddleRequest(f, ['prob'], i + 1, g), expected, `variant ${i}`);
      }
    }
    // The same tensor object with its dims changed in place between calls (its layout made from it).
    writePaddleRequest({ b: reshaped }, [], 1, signature);
    writePaddleRequest({ a: reshaped }, [], 1, signature);
    (reshaped.dims as number[]).splice(0, 2, 1, 5);
    assert.deepEqual(writePaddleRequest({ a: reshaped }, [], 1, signature), Buffer.from(encodePaddleRequest(buildPaddleRequest({ a: reshaped }, [], 1, signature))));
  });

  it('reads int64 ids from views at any offset of shared buffers, the buffers alternating', () => {
    const random = rng(11);
    const shared = [new ArrayBuffer(400), new ArrayBuffer(400)];
    const slot = (buffer: number, at: number): HostTensor => {
      const data = new BigInt64Array(shared[buffer], at * 8, 5);
      for (let i = 0; i < 5; i++) data[i] = BigInt(Math.floor((random() - 0.5) * 2 ** 40));
      return { dtype: 'int64', dims: [5, 1], data };
    };
    const feed: Record<string, HostTensor> = { C1: slot(0, 0), C2: slot(1, 5), C3: slot(0, 10), C4: slot(0, 17), dense: tensorOf('float32', [5, 2], random), C5: slot(1, 30) };
    assert.deepEqual(writePaddleRequest(feed, [], 3), Buffer.from(encodePaddleRequest(buildPaddleRequest(feed, [], 3))));
  });

  it('keeps int64 ids beyond 2^53 exact', () => {
    const ids = [2n ** 62n + 1n, -(2n ** 60n) - 3n, 9007199254740993n];
    const bytes = writePaddleRequest({ C1: { dtype: 'int64', dims: [3, 1], data: BigInt64Array.from(ids) } }, [], 0);
    const decoded = decodePaddleRequest(bytes);
    assert.equal(decoded.tensor[0].int64_data!.length, 3);
    // The server's decoder reads JS numbers; compare the wire itself against exact varints.
    const varint = (v: bigint) => { const out: number[] = []; let u = BigInt.asUintN(64, v); while (u >= 0x80n) { out.push(Number(u & 0x7fn) | 0x80); u >>= 7n; } out.push(Number(u)); return out; };
    const body = ids.flatMap(varint);
    assert.ok(bytes.includes(Buffer.from([0x0a, body.length, ...body])), 'int64_data holds the exact varints');
  });
});
