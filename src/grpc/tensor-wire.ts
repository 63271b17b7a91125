/**
 * Conversion between Predict wire tensors and core HostTensors.
 *
 * Contract: `decodeInputs` validates dtype codes and byte lengths (INVALID_ARGUMENT naming the
 * first bad input) and returns copies that share one fresh buffer (`decodeCheckedRawTensors`);
 * `encodeOutputs` returns views, no copies.
 */
import { invalidArgument } from '../core/errors';
import type { PredictedTensor } from '../core/predictor';
import { checkRawTensor, decodeCheckedRawTensors, type RawTensor } from '../core/decode-tensor';
import type { NamedTensor } from '../core/validate-request';
import { toLittleEndianBytes } from '../core/tensor';
import { DTYPE_TO_WIRE, dtypeFromWire, int64ToNumber, type TensorMessage } from '../protocol/predict-messages';

/** proto3 omits an empty bytes field; protobufjs then gives its default, an empty plain array. */
const EMPTY_BYTES = new Uint8Array(0);

export function decodeInputs(inputs: readonly TensorMessage[]): NamedTensor[] {
  // Check every input (in order, so the first bad one is reported) before copying any.
  const raw: RawTensor[] = inputs.map((input) => {
    const dtype = dtypeFromWire(input.dtype);
    if (dtype === undefined) {
      throw invalidArgument(`input "${input.name}": unknown dtype code ${input.dtype}; expected one of ${Object.entries(DTYPE_TO_WIRE).map(([n, c]) => `${c} (${n})`).join(', ')}`);
    }
    const shape = input.shape.map(int64ToNumber);
    const bytes = input.rawData instanceof Uint8Array ? input.rawData : EMPTY_BYTES;
    checkRawTensor(input.name, dtype, shape, bytes);
    return { name: input.name, dtype, shape, bytes };
  });
  const tensors = decodeCheckedRawTensors(raw);
  return raw.map(({ name }, i) => ({ name, tensor: tensors[i] }));
}

export function encodeOutputs(outputs: readonly PredictedTensor[]): TensorMessage[] {
  return outputs.map(({ spec, tensor }) => ({
    name: spec.alias,
    dtype: DTYPE_TO_WIRE[tensor.dtype],
    shape: [...tensor.dims],
    rawData: toLittleEndianBytes(tensor.data),
  }));
}
