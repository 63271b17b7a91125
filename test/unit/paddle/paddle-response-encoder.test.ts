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
