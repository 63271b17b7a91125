/**
 * The one-pass Paddle Response encoder against protobufjs's reflection encoder: byte-identical on
 * seeded random responses over every Tensor field (negative int32/int64 varints, NaN and ±Infinity
 * floats, empty and absent fields, several outputs), and on a response as the server builds it.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { SeededRandom } from '../../../src/data/seeded-random';
import { PaddleResponseType, type PaddleResponse, type PaddleTensor } from '../../../src/paddle/service/paddle-messages';
import { encodePaddleResponse } from '../../../src/paddle/service/paddle-response-encoder';
import { encodePaddleFetch } from '../../../src/paddle/service/paddle-tensor-codec';
import type { protobuf } from '../../../src/protocol/protobuf-runtime';

const reference = (response: PaddleResponse) => Buffer.from(PaddleResponseType.encode(response as unknown as protobuf.Message).finish());

function randomTensor(random: SeededRandom): PaddleTensor {
  const pick = (n: number) => random.nextUint32() % n;
  const count = () => pick(5);
  const t: PaddleTensor = {};
  if (pick(2)) t.int64_data = Array.from({ length: count() }, () => [0, 1, -1, 300, -(2 ** 40), 2 ** 52, 2 ** 31, -(2 ** 31)][pick(8)]);
  if (pick(2)) t.float_data = Float32Array.from({ length: count() }, () => [0.5, -1.25, Number.NaN, Infinity, -Infinity, random.nextFloat()][pick(6)]);
  if (pick(3) === 0) t.int_data = Int32Array.from({ length: count() }, () => [0, -1, 2147483647, -2147483648, 130][pick(5)]);
  if (pick(3) === 0) t.float64_data = Float64Array.from({ length: count() }, () => [0.1, -2.5, Number.NaN, 1e300][pick(4)]);
  if (pick(4) === 0) t.uint32_data = Array.from({ length: count() }, () => [0, 1, 4294967295, 128][pick(4)]);
  if (pick(4) === 0) t.bool_data = Array.from({ length: count() }, () => pick(2) === 1);
  if (pick(5) === 0) t.complex64_data = Array.from({ length: count() }, () => random.nextFloat());
  if (pick(5) === 0) t.complex128_data = Array.from({ length: count() }, () => random.nextFloat());
  if (pick(5) === 0) t.data = Array.from({ length: count() }, (_v, i) => `s${i}-é`);
  if (pick(2)) t.elem_type = [0, 1, 2, 3, 5, 20, -3][pick(7)];
  if (pick(2)) t.shape = Array.from({ length: pick(3) }, () => [1, 5, 13, 2048, -1][pick(5)]);
  if (pick(4) === 0) t.lod = [0, pick(9)];
  if (pick(2)) t.name = pick(2) ? `C${pick(27)}` : '';
  if (pick(2)) t.alias_name = `slot_${pick(27)}`;
  if (pick(5) === 0) t.tensor_content = Uint8Array.from({ length: count() }, () => pick(256));
  return t;
}

it('writes the bytes protobufjs writes for 3,000 seeded random responses', () => {
  const random = SeededRandom.create(1130, 'paddle-responses');
  const pick = (n: number) => random.nextUint32() % n;
  for (let i = 0; i < 3000; i++) {
    const response: PaddleResponse = {
      outputs: Array.from({ length: pick(3) }, () => ({ tensor: Array.from({ length: pick(4) }, () => randomTensor(random)), engine_name: pick(2) ? 'GeneralInferOp_0' : '' })),
      profile_time: Array.from({ length: pick(3) * 2 }, () => [0, 1764500000000000, -7][pick(3)]),
    };
    if (pick(2)) response.profile_server = pick(2) === 1;
    if (pick(2)) response.log_id = [0, 7, 2 ** 40, 2 ** 53 - 1][pick(4)];
    if (pick(4) === 0) response.err_no = [0, -1, 300][pick(3)];
    if (pick(4) === 0) response.err_msg = pick(2) ? '' : 'input "C1": expected dtype int64';
    assert.deepEqual(encodePaddleResponse(response), reference(response), `response ${i}: ${JSON.stringify(response)}`);
  }
});

it('writes a served response (outputs from encodePaddleFetch) byte for byte as protobufjs', () => {
  const spec = { name: 'sigmoid_0.tmp_0', alias: 'prob', dtype: 'float32' as const, shape: [1] };
  const tensor = encodePaddleFetch(spec, { dtype: 'float32', dims: [5, 1], data: Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5) });
  const response: PaddleResponse = { outputs: [{ tensor: [tensor], engine_name: 'GeneralInferOp_0' }], profile_time: [1764500000000000, 1764500000000123], profile_server: false, log_id: 42 };
  assert.deepEqual(encodePaddleResponse(response), reference(response));
  assert.deepEqual(encodePaddleResponse({ outputs: [], profile_time: [] }), reference({ outputs: [], profile_time: [] }));
});

/** Floats with a signalling NaN at index 9 (bits 0x7f800001): stored through a number it becomes quiet. */
function signallingNaNs(length: number): Float32Array {
  const values = Float32Array.from({ length }, (_v, i) => -i);
  new Uint32Array(values.buffer)[9] = 0x7f800001;
  return values;
}

it('writes protobufjs bytes for served-shaped responses at the edges: shapes, signs, names, several outputs, int64, bulk floats', () => {
  const tensors: PaddleTensor[] = [
    { elem_type: 1, shape: [], name: 'out', alias_name: 'prob', float_data: Float32Array.of(0.5) },
    { elem_type: 2, shape: [5, -1], name: 'ids', alias_name: 'ids', int_data: Int32Array.of(-1, -2147483648, 2147483647, 0, 130) },
    { elem_type: 0, shape: [3, 1], name: 'i64', int64_data: [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 31, 2 ** 32 + 0.5, 1.5, -0] },
    { elem_type: 1, shape: [2, 1], name: 'sortie_é', alias_name: '概率', float_data: [0.25, Number.NaN] },
    { elem_type: 1, shape: [32, 1], name: 'n'.repeat(64), alias_name: 'a'.repeat(65), float_data: Float32Array.from({ length: 32 }, (_v, i) => i / 7) },
    { elem_type: 1, shape: [16, 1], name: 'nan_bulk', float_data: signallingNaNs(16) },
    { elem_type: 3, shape: [20, 1], name: 'f64', float64_data: Float64Array.from({ length: 20 }, (_v, i) => i * 1e300 - 0.1) },
    { elem_type: 9, shape: [2, 1], name: 'b', bool_data: [true, false] },
    { elem_type: 5, shape: [1, 1], name: 'h', tensor_content: Uint8Array.of(0, 60) },
    { elem_type: 0, shape: [1, 1], name: 'absent', alias_name: undefined, int64_data: [] },
  ];
  const responses: PaddleResponse[] = [
    { outputs: [{ tensor: tensors, engine_name: 'GeneralInferOp_0' }], profile_time: [1764500000000000, 1764500000000123], profile_server: false, log_id: 42 },
    { outputs: [{ tensor: tensors.slice(0, 2), engine_name: 'GeneralInferOp_0' }, { tensor: tensors.slice(2), engine_name: 'op_é' }, { tensor: [], engine_name: '' }], profile_time: [1, 2, 3, 4, 5, 6, 7, 8], profile_server: true, log_id: 2 ** 53 - 1 },
    { outputs: [], profile_time: [], err_no: -1, err_msg: 'input "C1": ünknown' },
  ];
  for (const [i, response] of responses.entries()) assert.deepEqual(encodePaddleResponse(response), reference(response), `response ${i}`);
});

it('measures each string anew when strings of one length alternate (names, aliases, engine names)', () => {
  // Same UTF-16 length, different UTF-8 lengths and bytes, in turn: a stale remembered length would write wrong bytes.
  const names = ['abcd', 'déf!', 'wxyz', '€€€€', 'ab😀', 'abcd'];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < names.length; i++) {
      const response: PaddleResponse = {
        outputs: [{ tensor: [{ elem_type: 1, shape: [1, 1], name: names[i], alias_name: names[(i + 1) % names.length], float_data: [1] }], engine_name: names[(i + 2) % names.length] }],
        profile_time: [1, 2],
        err_msg: names[(i + 3) % names.length],
      };
      assert.deepEqual(encodePaddleResponse(response), reference(response), `round ${round}, name ${i}`);
    }
  }
});
