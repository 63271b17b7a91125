/**
 * The server's PredictRequest reader gives what protobufjs's reflection decoder gives for every
 * well-formed message (seeded messages over every field, packed and unpacked shapes, unknown
 * fields, repeated singular fields, big and negative varints), throws for malformed ones, and
 * the inputs decoded from it (grpc/tensor-wire.ts) hold exactly the bytes that were sent.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from '../../helpers/fuzz/prng';
import { decodeInputs } from '../../../src/grpc/tensor-wire';
import { decodePredictRequest, encodePredictRequest } from '../../../src/protocol/predict-messages';
import { readPredictRequest } from '../../../src/protocol/predict-request-reader';
import { ServingError } from '../../../src/core/errors';

/** Seeded uniform numbers in [0, 1) (the fuzz suite's PRNG). */
function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const field = (number: number, wire: number) => varint(BigInt((number << 3) | wire));
const delimited = (number: number, body: number[]) => [...field(number, 2), ...varint(BigInt(body.length)), ...body];
const utf8 = (text: string) => [...Buffer.from(text, 'utf8')];

/** A Tensor message with its fields in a seeded order, shape packed or one tag per value, maybe repeated fields and unknown ones. */
function tensorBytes(random: () => number, name: string, dtype: number, shape: bigint[], data: number[]): number[] {
  const parts: number[][] = [];
  if (name !== '' || random() < 0.2) parts.push(delimited(1, utf8(name)));
  parts.push([...field(2, 0), ...varint(BigInt(dtype))]);
  if (random() < 0.5) parts.push(delimited(3, shape.flatMap(varint)));
  else parts.push(shape.flatMap((d) => [...field(3, 0), ...varint(d)]));
  parts.push(delimited(4, data));
  if (random() < 0.3) parts.push([...field(9, 0), ...varint(12345n)], delimited(10, [1, 2, 3]), [...field(11, 5), 1, 2, 3, 4], [...field(12, 1), 1, 2, 3, 4, 5, 6, 7, 8]);
  for (let i = parts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [parts[i], parts[j]] = [parts[j], parts[i]];
  }
  if (random() < 0.2) parts.unshift([...field(2, 0), ...varint(99n)]); // an earlier dtype, overwritten by the later one
  return parts.flat();
}

function requestBytes(seed: number): Buffer {
  const random = rng(seed);
  const out: number[] = [];
  if (random() < 0.6) out.push(...delimited(1, utf8(['', 'ctr', 'モデル'][seed % 3])));
  if (random() < 0.3) out.push(...delimited(2, utf8('7')));
  const inputs = Math.floor(random() * 5);
  for (let i = 0; i < inputs; i++) {
    const rows = Math.floor(random() * 6);
    const shape = random() < 0.1 ? [BigInt(rows), -1n] : random() < 0.1 ? [2n ** 60n] : [BigInt(rows), 3n];
    const data = Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
    const dtype = random() < 0.1 ? -3 : 1 + Math.floor(random() * 8);
    out.push(...delimited(3, tensorBytes(random, ['x', 'C1', 'ünï', ''][i % 4], dtype, shape, data)));
  }
  for (let i = 0; i < seed % 3; i++) out.push(...delimited(4, utf8(['prob', 'ünï'][i % 2])));
  if (random() < 0.5) out.push(...field(5, 0), ...varint([0n, 1n, 2n ** 40n + 3n, 2n ** 64n - 1n][seed % 4]));
  if (random() < 0.2) out.push(...field(15, 0), ...varint(7n));
  return Buffer.from(out);
}

/** The reader's view in protobufjs's shape (raw_data as the bytes it points at). */
function asDecoded(bytes: Buffer) {
  const view = readPredictRequest(bytes);
  return {
    modelName: view.modelName,
    modelVersion: view.modelVersion,
    inputs: view.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, rawData: [...bytes.subarray(t.dataStart, t.dataStart + t.dataLength)] })),
    outputNames: view.outputNames,
    requestId: view.requestId,
  };
}

function reference(bytes: Buffer) {
  const m = decodePredictRequest(bytes) as unknown as { modelName: string; modelVersion: string; inputs: Array<{ name: string; dtype: number; shape: unknown[]; rawData: Uint8Array }>; outputNames: string[]; requestId: unknown };
  return {
    modelName: m.modelName,
    modelVersion: m.modelVersion,
    inputs: m.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape.map(Number), rawData: [...t.rawData] })),
    outputNames: m.outputNames,
    requestId: Number(m.requestId),
  };
}

describe('readPredictRequest', () => {
  it('reads what protobufjs reads, for 500 seeded well-formed messages', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const bytes = requestBytes(seed);
      assert.deepEqual(asDecoded(bytes), reference(bytes), `seed ${seed}: ${bytes.toString('hex')}`);
    }
  });

  it('throws for every truncation of a message, and for groups, wrong wire types and invalid UTF-8', () => {
    const whole = requestBytes(11);
    assert.ok(whole.byteLength > 20);
    for (let cut = 1; cut < whole.byteLength; cut++) {
      const part = whole.subarray(0, cut);
      let protobufjsThrows = false;
      try {
        reference(part);
      } catch {
        protobufjsThrows = true;
      }
      if (protobufjsThrows) assert.throws(() => readPredictRequest(part), Error, `cut at ${cut}`);
      else assert.deepEqual(asDecoded(part), reference(part), `cut at ${cut}`);
    }
    assert.throws(() => readPredictRequest(Buffer.from([...field(7, 3), ...field(7, 4)])), /invalid wire type 3/);
    assert.throws(() => readPredictRequest(Buffer.from([...field(1, 0), 1])), /PredictRequest.model_name has wire type 0; expected 2/);
    assert.throws(() => readPredictRequest(Buffer.from(delimited(3, [...field(4, 0), 1]))), /Tensor.raw_data has wire type 0; expected 2/);
    assert.throws(() => readPredictRequest(Buffer.from(delimited(1, [0xff, 0xfe]))), TypeError);
    assert.throws(() => readPredictRequest(Buffer.from(delimited(3, delimited(3, [0x80])))), /truncated varint|does not end/);
  });

  it('decodes inputs to tensors holding exactly the sent bytes, each 8-byte aligned in one buffer', () => {
    const random = rng(5);
    const ids = Array.from({ length: 40 }, () => Math.floor(random() * 256));
    const dense = Array.from({ length: 5 * 13 * 4 }, () => Math.floor(random() * 256));
    const bytes = Buffer.from([
      ...delimited(3, tensorBytes(random, 'C1', 1, [5n, 1n], ids)),
      ...delimited(3, tensorBytes(random, 'dense_input', 2, [5n, 13n], dense)),
      ...delimited(3, tensorBytes(random, 'flag', 8, [5n], [1, 0, 1, 1, 0])),
    ]);
    const inputs = decodeInputs(readPredictRequest(bytes));
    assert.deepEqual(inputs.map((i) => [i.name, i.tensor.dtype, i.tensor.dims]), [['C1', 'int64', [5, 1]], ['dense_input', 'float32', [5, 13]], ['flag', 'bool', [5]]]);
    const asBytes = (d: ArrayBufferView) => [...new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
    assert.deepEqual(asBytes(inputs[0].tensor.data), ids);
    assert.deepEqual(asBytes(inputs[1].tensor.data), dense);
    assert.deepEqual(asBytes(inputs[2].tensor.data), [1, 0, 1, 1, 0]);
    assert.ok(inputs.every((i) => i.tensor.data.buffer === inputs[0].tensor.data.buffer && i.tensor.data.byteOffset % 8 === 0), 'one buffer, aligned views');
  });

  it('refuses an unknown dtype code or a byte count that does not match the shape, naming the input', () => {
    const random = rng(9);
    const bad = (dtype: number, shape: bigint[], data: number[]) => () => decodeInputs(readPredictRequest(Buffer.from(delimited(3, tensorBytes(random, 'C7', dtype, shape, data))))) ;
    assert.throws(bad(42, [1n], [0, 0, 0, 0, 0, 0, 0, 0]), (e: unknown) => e instanceof ServingError && /^input "C7": unknown dtype code 42; expected one of 1 \(int64\)/.test(e.rawMessage));
    assert.throws(bad(1, [2n, 1n], [0, 0, 0, 0, 0, 0, 0, 0]), (e: unknown) => e instanceof ServingError && e.rawMessage === 'input "C7": shape [2,1] of int64 needs 16 bytes; got 8');
  });

  it('gives the message the client library writes back as it was sent', () => {
    const sent = encodePredictRequest({ modelName: 'ctr', inputs: [{ name: 'x', dtype: 2, shape: [1, 2], rawData: new Uint8Array(8).fill(7) }], outputNames: ['prob'], requestId: 42 });
    const view = readPredictRequest(sent);
    assert.deepEqual([view.modelName, view.outputNames, view.requestId, view.inputs[0].shape], ['ctr', ['prob'], 42, [1, 2]]);
  });
});
