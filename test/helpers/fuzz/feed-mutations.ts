/**
 * Semantic mutations of a valid DeepFM request, independent of the wire: wrong dtypes, shapes and
 * byte counts, unknown or missing inputs, unknown and repeated outputs, NaN/Inf values, absurd
 * dimensions. `encode*` turns the result into a Predict message, a Paddle Request (proto) or
 * Paddle's HTTP JSON. Every mutation except `none` makes a request a strict server must refuse.
 */
import { toLittleEndianBytes, type HostTensor } from '../../../src/core/tensor';
import { DTYPE_TO_WIRE, encodePredictRequest } from '../../../src/protocol/predict-messages';
import { encodePaddleRequest } from '../../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../feeds';
import type { Prng } from './prng';

export const OUTPUT_NAME = 'sigmoid_0.tmp_0';

export interface FuzzTensor {
  name: string;
  dtype: 'int64' | 'float32';
  /** Predict's dtype enum, overridden to disagree with `values` and the model. */
  wireDtype?: number;
  /** Paddle's elem_type, overridden likewise (0 int64, 1 float32, 2 int32, 3 float64, ...). */
  elemType?: number;
  shape: number[];
  values: number[];
}

export interface FuzzRequest {
  tensors: FuzzTensor[];
  outputs: string[];
}

export const MUTATIONS = ['none', 'wrong-dtype', 'wrong-shape', 'wrong-byte-count', 'unknown-input', 'missing-input', 'unknown-output', 'repeated-output', 'nan-inf', 'negative-dim', 'huge-dim', 'rows-mismatch'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export function validRequest(rows: number, seed: number): FuzzRequest {
  const feed = criteoFeed(rows, 1000, seed);
  return {
    tensors: Object.entries(feed).map(([name, t]: [string, HostTensor]) => ({
      name,
      dtype: t.dtype === 'int64' ? 'int64' : 'float32',
      shape: [...t.dims],
      values: t.dtype === 'int64' ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array),
    })),
    outputs: [OUTPUT_NAME],
  };
}

export function mutate(request: FuzzRequest, mutation: Mutation, rng: Prng): FuzzRequest {
  const tensors = request.tensors.map((t) => ({ ...t, shape: [...t.shape], values: [...t.values] }));
  const out: FuzzRequest = { tensors, outputs: [...request.outputs] };
  const target = rng.pick(tensors);
  const dense = tensors.find((t) => t.name === 'dense_input')!;
  switch (mutation) {
    case 'none': break;
    case 'wrong-dtype':
      target.wireDtype = target.dtype === 'int64' ? rng.pick([2, 3, 4, 6, 99]) : rng.pick([1, 3, 4, 5, 99]);
      target.elemType = target.dtype === 'int64' ? rng.pick([1, 2, 3, 5, 20]) : rng.pick([0, 2, 3, 5, 20]);
      break;
    case 'wrong-shape': target.shape = rng.pick([[target.shape[0], target.shape[1] + 1], [target.shape[0] * target.shape[1]], [1, target.shape[0], target.shape[1]], []]); break;
    case 'wrong-byte-count': target.values.splice(rng.int(0, target.values.length - 1), 1); break;
    case 'unknown-input': tensors.push({ ...target, name: rng.pick(['zz_unknown', '', 'C27', 'dense_input\u0000', 'x'.repeat(rng.int(1, 4096))]) }); break;
    case 'missing-input': tensors.splice(tensors.indexOf(target), 1); break;
    case 'unknown-output': out.outputs = [rng.pick(['nope', '', 'C1', 'sigmoid_0.tmp_1', 'y'.repeat(rng.int(1, 4096))])]; break;
    case 'repeated-output': out.outputs = new Array(rng.int(2, 2000)).fill(OUTPUT_NAME); break;
    case 'nan-inf': dense.values[rng.int(0, dense.values.length - 1)] = rng.pick([NaN, Infinity, -Infinity]); break;
    case 'negative-dim': target.shape = [-target.shape[0], target.shape[1]]; break;
    case 'huge-dim': target.shape = [rng.pick([2 ** 31, 2 ** 40, 4097, 1e9]), target.shape[1]]; break;
    case 'rows-mismatch': {
      const extra = rng.int(1, 3);
      target.shape = [target.shape[0] + extra, target.shape[1]];
      target.values = target.values.concat(new Array(extra * target.shape[1]).fill(0));
      break;
    }
  }
  return out;
}

export function encodePredict(request: FuzzRequest): Buffer {
  return encodePredictRequest({
    inputs: request.tensors.map((t) => ({
      name: t.name,
      dtype: t.wireDtype ?? DTYPE_TO_WIRE[t.dtype],
      shape: t.shape,
      rawData: toLittleEndianBytes(t.dtype === 'int64' ? BigInt64Array.from(t.values, (v) => BigInt(v)) : Float32Array.from(t.values)),
    })),
    outputNames: request.outputs,
  });
}

function paddleObject(request: FuzzRequest) {
  return {
    fetch_var_names: request.outputs,
    log_id: 8,
    tensor: request.tensors.map((t) => ({
      ...(t.dtype === 'int64' ? { int64_data: t.values } : { float_data: t.values }),
      shape: t.shape,
      elem_type: t.elemType ?? (t.dtype === 'int64' ? 0 : 1),
      name: t.name,
      alias_name: t.name,
    })),
  };
}

export function encodePaddleProto(request: FuzzRequest): Buffer {
  return Buffer.from(encodePaddleRequest({ ...paddleObject(request), profile_server: false }));
}

/** Paddle's JSON; NaN/Inf have no JSON form, so they travel as the strings Python's json writes. */
export function encodePaddleJson(request: FuzzRequest): string {
  return JSON.stringify(paddleObject(request), (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
}
