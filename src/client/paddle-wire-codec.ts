/**
 * The client side of Paddle's GeneralModelService, shared by the `paddle-grpc`, `http` and `rpc`
 * client modes: a feed keyed by alias -> a Paddle Request, a Paddle Response -> outputs by alias.
 *
 * Contract: as Paddle's clients do, each Tensor carries the model's real `name` (looked up in the
 * client config's signature; the key itself when the signature does not know it) and the key as
 * `alias_name`; `fetch_var_names` are the fetch aliases. Responses are read by `alias_name`, and
 * the server time is the last `profile_time` pair (NaN when absent).
 */
import type { ModelSignature } from '../core/model-signature';
import { ServingError, Code } from '../core/errors';
import { type HostTensor, allocate, fromLittleEndianBytes } from '../core/tensor';
import { dtypeOfPaddleCode, paddleCodeOfDType } from '../model/paddle-config';
import type { PaddleRequest, PaddleResponse, PaddleTensor } from '../paddle/service/paddle-messages';

export function buildPaddleRequest(
  feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], logId: number, signature?: ModelSignature,
): PaddleRequest {
  const realName = new Map<string, string>();
  for (const spec of signature?.inputs ?? []) realName.set(spec.alias, spec.name);
  const tensor = Object.keys(feed).map((alias): PaddleTensor => {
    const host = feed[alias];
    const message: PaddleTensor = { shape: host.dims, elem_type: paddleCodeOfDType(host.dtype), name: realName.get(alias) ?? alias, alias_name: alias };
    switch (host.dtype) {
      case 'int64': message.int64_data = Array.from(host.data as BigInt64Array, Number); break;
      case 'float32': message.float_data = host.data as Float32Array; break;
      case 'int32': message.int_data = host.data as Int32Array; break;
      case 'float64': message.float64_data = host.data as Float64Array; break;
      case 'bool': message.bool_data = Array.from(host.data as Uint8Array, Boolean); break;
      default: message.tensor_content = new Uint8Array(host.data.buffer, host.data.byteOffset, host.data.byteLength);
    }
    return message;
  });
  return { tensor, fetch_var_names: [...fetch], profile_server: false, log_id: logId };
}

export interface PaddleResult {
  readonly outputs: Record<string, HostTensor>;
  /** end - start of the last profile_time pair, microseconds; NaN when absent. */
  readonly serverMicros: number;
}

export function readPaddleResponse(response: PaddleResponse): PaddleResult {
  const outputs: Record<string, HostTensor> = {};
  for (const output of response.outputs ?? []) {
    for (const tensor of output.tensor ?? []) {
      const key = tensor.alias_name || tensor.name || '';
      outputs[key] = toHostTensor(key, tensor);
    }
  }
  const times = response.profile_time ?? [];
  const serverMicros = times.length >= 2 ? Number(times[times.length - 1]) - Number(times[times.length - 2]) : Number.NaN;
  return { outputs, serverMicros };
}

function toHostTensor(name: string, tensor: PaddleTensor): HostTensor {
  let dtype;
  try {
    dtype = dtypeOfPaddleCode(tensor.elem_type ?? 0, `output "${name}" elem_type`);
  } catch (error) {
    throw new ServingError(Code.INTERNAL, error instanceof Error ? error.message : String(error));
  }
  const dims = Array.from(tensor.shape ?? [], Number);
  const field = ({ int64: tensor.int64_data, float32: tensor.float_data, int32: tensor.int_data, float64: tensor.float64_data, bool: tensor.bool_data } as Record<string, ArrayLike<number | boolean> | undefined>)[dtype];
  if (field === undefined) {
    const bytes = tensor.tensor_content ?? new Uint8Array(0);
    return { dtype, dims, data: fromLittleEndianBytes(dtype, bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes as ArrayLike<number>)) };
  }
  const data = allocate(dtype, field.length);
  if (data instanceof BigInt64Array) for (let i = 0; i < field.length; i++) data[i] = BigInt(Number(field[i]));
  else for (let i = 0; i < field.length; i++) data[i] = Number(field[i]);
  return { dtype, dims, data };
}
