/**
 * The hand-written Paddle Request decoder against protobufjs's reflection decoder (the reference,
 * 64-bit integers as numbers): seeded random requests over every Tensor field, packed and unpacked
 * encodings, unknown fields, extreme values, and random corruptions; plus the errors it names.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { protobuf } from '../../../src/protocol/protobuf-runtime';
import { SeededRandom } from '../../../src/data/seeded-random';
import { PaddleRequestType } from '../../../src/paddle/service/paddle-messages';
import { decodePaddleRequest } from '../../../src/paddle/service/paddle-request-decoder';

/** Plain arrays and numbers, so both decoders' outputs compare field by field. */
function normalize(request: unknown): unknown {
  return JSON.parse(JSON.stringify(request, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isNaN(v) ? 'NaN' : v));
    // A Buffer has already been through its toJSON: { type: 'Buffer', data }.
    if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') return (value as { data: number[] }).data;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  }));
}

function reference(bytes: Uint8Array): unknown {
  const message = PaddleRequestType.decode(bytes);
  const object = PaddleRequestType.toObject(message, { defaults: true, arrays: true, bytes: Array, longs: Number });
  for (const tensor of (object.tensor ?? []) as Array<Record<string, unknown>>) {
    for (const key of ['float_data', 'complex64_data']) tensor[key] = (tensor[key] as number[]).map((v) => Math.fround(v));
  }
  return normalize(object);
}

function randomTensor(random: SeededRandom): Record<string, unknown> {
  const pick = (n: number) => random.nextUint32() % n;
  const count = () => pick(6);
  const int64 = () => [0, 1, -1, 1_000_000, -(2 ** 40), 2 ** 52, 2 ** 31, -(2 ** 31), pick(1 << 30)][pick(9)];
  const tensor: Record<string, unknown> = {};
  if (pick(2)) tensor.int64_data = Array.from({ length: count() }, int64);
  if (pick(3) === 0) tensor.float_data = Array.from({ length: count() }, () => [0.5, -1.25, 3.4e38, Number.NaN, Infinity, random.nextFloat()][pick(6)]);
  if (pick(3) === 0) tensor.int_data = Array.from({ length: count() }, () => [0, -1, 2147483647, -2147483648, pick(1000)][pick(5)]);
  if (pick(3) === 0) tensor.float64_data = Array.from({ length: count() }, () => [0.1, -2.5, 1e300, Number.NaN, random.nextFloat()][pick(5)]);
  if (pick(4) === 0) tensor.uint32_data = Array.from({ length: count() }, () => [0, 1, 4294967295][pick(3)]);
  if (pick(4) === 0) tensor.bool_data = Array.from({ length: count() }, () => pick(2) === 1);
  if (pick(5) === 0) tensor.complex64_data = Array.from({ length: count() }, () => random.nextFloat());
  if (pick(5) === 0) tensor.complex128_data = Array.from({ length: count() }, () => random.nextFloat());
  if (pick(5) === 0) tensor.data = Array.from({ length: count() }, (_v, i) => `s${i}-é`);
  if (pick(2)) tensor.elem_type = [0, 1, 2, 3, 5, 7, 20, -3][pick(8)];
  if (pick(2)) tensor.shape = Array.from({ length: 1 + pick(3) }, () => [1, 5, 13, 2048, -1][pick(5)]);
  if (pick(4) === 0) tensor.lod = [0, pick(9)];
  if (pick(2)) tensor.name = `C${pick(27)}`;
  if (pick(2)) tensor.alias_name = `slot_${pick(27)}`;
  if (pick(5) === 0) tensor.tensor_content = Uint8Array.from({ length: count() }, () => pick(256));
  return tensor;
}

function randomRequest(random: SeededRandom): Uint8Array {
  const pick = (n: number) => random.nextUint32() % n;
  const request = {
    tensor: Array.from({ length: pick(5) }, () => randomTensor(random)),
    fetch_var_names: Array.from({ length: pick(3) }, (_v, i) => `prob${i}`),
    profile_server: pick(2) === 1,
    log_id: [0, 7, 2 ** 40, 2 ** 53 - 1][pick(4)],
  };
  return PaddleRequestType.encode(PaddleRequestType.fromObject(request)).finish();
}

it('decodes 2,000 seeded random requests exactly as protobufjs does', () => {
  const random = SeededRandom.create(20261130, 'paddle-requests');
  for (let i = 0; i < 2000; i++) {
    const bytes = randomRequest(random);
    assert.deepEqual(normalize(decodePaddleRequest(bytes)), reference(bytes), `request ${i}`);
  }
});

it('reads unpacked repeated fields, several runs of one field, unknown fields and negative varints', () => {
  const w = protobuf.Writer.create();
  const tensor = protobuf.Writer.create();
  // int64_data unpacked (wire type 0), then a packed run appended; shape unpacked; an unknown field 99 (fixed64) and 98 (LEN).
  tensor.uint32((1 << 3) | 0).int64(-5);
  tensor.uint32((1 << 3) | 0).int64(2 ** 45);
  tensor.uint32((1 << 3) | 2).fork().int64(7).int64(-(2 ** 33)).ldelim();
  tensor.uint32((11 << 3) | 0).int32(-1);
  tensor.uint32((11 << 3) | 0).int32(13);
  tensor.uint32((99 << 3) | 1).fixed64(123);
  tensor.uint32((98 << 3) | 2).bytes(Uint8Array.of(1, 2, 3));
  tensor.uint32((2 << 3) | 5).float(1.5);
  tensor.uint32((13 << 3) | 2).string('C1');
  w.uint32((1 << 3) | 2).bytes(tensor.finish());
  w.uint32((4 << 3) | 0).uint64(2 ** 40 + 3);
  const bytes = w.finish();
  const fast = decodePaddleRequest(bytes);
  assert.deepEqual(normalize(fast), reference(bytes));
  assert.deepEqual(Array.from(fast.tensor[0].int64_data!), [-5, 2 ** 45, 7, -(2 ** 33)]);
  assert.deepEqual(Array.from(fast.tensor[0].shape!), [-1, 13]);
  assert.equal(fast.log_id, 2 ** 40 + 3);
});

it('agrees with protobufjs on corrupted requests it accepts, and names what is malformed', () => {
  const random = SeededRandom.create(7, 'corruptions');
  let accepted = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = randomRequest(random).slice();
    if (bytes.length === 0) continue;
    const cut = random.nextUint32() % 2 === 0;
    const corrupted = cut ? bytes.subarray(0, random.nextUint32() % bytes.length) : bytes;
    if (!cut) corrupted[random.nextUint32() % corrupted.length] = random.nextUint32() & 0xff;
    let ours: unknown;
    try {
      ours = normalize(decodePaddleRequest(corrupted));
    } catch {
      continue;
    }
    let theirs: unknown;
    try {
      theirs = reference(corrupted);
    } catch {
      continue;
    }
    accepted++;
    assert.deepEqual(ours, theirs, `corruption ${i}`);
  }
  assert.ok(accepted > 100, `${accepted} corrupted requests decoded by both`);
  assert.throws(() => decodePaddleRequest(Uint8Array.of(0x0a, 0x05, 0x08)), /length 5 runs past the end of the message/);
  assert.throws(() => decodePaddleRequest(Uint8Array.of(0x18, 0x80)), /truncated varint/);
  assert.throws(() => decodePaddleRequest(Uint8Array.of(0x2b)), /invalid wire type 3/);
  assert.throws(() => decodePaddleRequest(Uint8Array.of(0x08, 0x01)), /field 1 has wire type 0; expected 2/);
  assert.throws(() => decodePaddleRequest(Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0x80)), /truncated varint in a packed field/);
  assert.deepEqual(normalize(decodePaddleRequest(new Uint8Array(0))), reference(new Uint8Array(0)));
});

it('reads varints around the inline 4-byte limit (2^28) in every packed varint field, and shape as plain numbers', () => {
  const edges = [0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 32 - 1];
  const int64s = [...edges, 2 ** 35, 2 ** 53 - 1, -1, -(2 ** 28), -(2 ** 53 - 1)];
  const int32s = [...edges.filter((v) => v < 2 ** 31), -1, -(2 ** 28), -(2 ** 31)];
  const request = {
    tensor: [{
      int64_data: int64s, int_data: int32s, uint32_data: edges, bool_data: [true, false, true],
      shape: int32s, lod: [0, 2 ** 28, 2 ** 28 - 1], name: 'C1',
    }],
  };
  const bytes = PaddleRequestType.encode(PaddleRequestType.fromObject(request)).finish();
  const fast = decodePaddleRequest(bytes);
  assert.deepEqual(normalize(fast), reference(bytes));
  assert.deepEqual(Array.from(fast.tensor[0].int64_data!), int64s);
  assert.ok(Array.isArray(fast.tensor[0].shape), 'shape is a plain array');
  assert.deepEqual(fast.tensor[0].shape, int32s);
  assert.deepEqual(fast.tensor[0].lod, [0, 2 ** 28, 2 ** 28 - 1]);
});

it('reads names alike on every call: repeated, colliding, non-ASCII, empty, and longer than the cached length', () => {
  const names = [
    ...Array.from({ length: 2000 }, (_v, i) => `C${i}`), 'dense_input', '', 'é', 'naïve_slot', '特征_1', 'x'.repeat(64), 'y'.repeat(65),
    `${'z'.repeat(63)}é`,
  ];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < names.length; i += 50) {
      const request = {
        tensor: names.slice(i, i + 50).map((name, k) => ({ name, alias_name: names[(i + k + 1) % names.length], shape: [1] })),
        fetch_var_names: [names[i], names[names.length - 1 - i]],
      };
      const bytes = PaddleRequestType.encode(PaddleRequestType.fromObject(request)).finish();
      const fast = decodePaddleRequest(bytes);
      assert.deepEqual(normalize(fast), reference(bytes), `names from ${i}, round ${round}`);
      assert.deepEqual(fast.tensor.map((t) => t.name), request.tensor.map((t) => t.name));
    }
  }
});

it('names malformed packed fields as before: sizes, wire types, overlong varints', () => {
  const tensor = (body: number[]) => Uint8Array.of(0x0a, body.length, ...body);
  // float_data packed with 6 bytes; double with 4; int64 with wire type 1; an 11-byte varint in a packed int64 and shape.
  assert.throws(() => decodePaddleRequest(tensor([0x12, 6, 0, 0, 0, 0, 0, 0])), /packed field of 6 bytes is not a multiple of 4/);
  assert.throws(() => decodePaddleRequest(tensor([0x22, 4, 0, 0, 0, 0])), /packed field of 4 bytes is not a multiple of 8/);
  assert.throws(() => decodePaddleRequest(tensor([0x09, 0, 0, 0, 0, 0, 0, 0, 0])), /wire type 1 for a repeated field of wire type 0/);
  assert.throws(() => decodePaddleRequest(tensor([0x5d, 0, 0, 0, 0])), /wire type 5 for a repeated field of wire type 0/);
  assert.throws(() => decodePaddleRequest(tensor([0x15, 0, 0])), /truncated fixed32/);
  const overlong = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.throws(() => decodePaddleRequest(tensor([0x0a, overlong.length, ...overlong])), /varint longer than 10 bytes/);
  assert.throws(() => decodePaddleRequest(tensor([0x5a, overlong.length, ...overlong])), /varint longer than 10 bytes/);
  assert.throws(() => decodePaddleRequest(tensor([0x5a, 2, 0x80, 0x80])), /truncated varint in a packed field/);
  assert.throws(() => decodePaddleRequest(tensor([0x58, 0x80])), /truncated varint/);
});

it('appends every run of shape and lod, packed or not, in order', () => {
  const tensor = protobuf.Writer.create();
  tensor.uint32((11 << 3) | 2).fork().int32(5).int32(-1).ldelim();
  tensor.uint32((11 << 3) | 0).int32(13);
  tensor.uint32((11 << 3) | 2).fork().int32(2 ** 28).int32(7).ldelim();
  tensor.uint32((12 << 3) | 0).int32(0);
  tensor.uint32((12 << 3) | 2).fork().int32(3).ldelim();
  tensor.uint32((12 << 3) | 2).fork().ldelim();
  const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(tensor.finish()).finish();
  const fast = decodePaddleRequest(bytes);
  assert.deepEqual(normalize(fast), reference(bytes));
  assert.deepEqual(fast.tensor[0].shape, [5, -1, 13, 2 ** 28, 7]);
  assert.deepEqual(fast.tensor[0].lod, [0, 3]);
});

it('appends every run of float and double data, packed or not, in order, from any byte offset', () => {
  const tensor = protobuf.Writer.create();
  tensor.uint32((1 << 3) | 0).int64(9); // one byte ahead: the packed runs below start at odd offsets
  tensor.uint32((2 << 3) | 2).fork().float(1.5).float(-2.25).ldelim();
  tensor.uint32((2 << 3) | 5).float(3);
  tensor.uint32((2 << 3) | 2).fork().float(0.125).float(1e-3).ldelim();
  tensor.uint32((4 << 3) | 2).fork().double(1 / 3).ldelim();
  tensor.uint32((4 << 3) | 1).double(-7.5);
  tensor.uint32((4 << 3) | 2).fork().double(2 ** 60).double(-0).ldelim();
  const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(tensor.finish()).finish();
  const fast = decodePaddleRequest(bytes);
  assert.deepEqual(normalize(fast), reference(bytes));
  assert.deepEqual(Array.from(fast.tensor[0].float_data!), [1.5, -2.25, 3, 0.125, Math.fround(1e-3)]);
  assert.deepEqual(Array.from(fast.tensor[0].float64_data!), [1 / 3, -7.5, 2 ** 60, -0]);
});
