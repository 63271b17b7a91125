/**
 * Predict request tensors into core HostTensors (the response is written by
 * protocol/predict-message-writer.ts).
 *
 * Contract: `decodeInputs` validates every input's dtype code and byte length, in order
 * (INVALID_ARGUMENT naming the first bad input, its expected and actual value), then copies all
 * their raw_data from the message into ONE fresh buffer, each tensor 8-byte aligned (one
 * allocation per request; see core/decode-tensor.ts for why one buffer), and returns views of it.
 */
import { invalidArgument } from '../core/errors';
import { copyRangesIntoAlignedArena } from '../core/aligned-arena';
import { checkRawTensorLength } from '../core/decode-tensor';
import type { NamedTensor } from '../core/validate-request';
import { BYTES_PER_ELEMENT, view, type DType } from '../core/tensor';
import { DTYPE_TO_WIRE, dtypeFromWire } from '../protocol/predict-messages';
import type { PredictRequestView } from '../protocol/predict-request-reader';

export function decodeInputs(request: PredictRequestView): NamedTensor[] {
  const { inputs } = request;
  const dtypes = new Array<DType>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const dtype = dtypeFromWire(input.dtype);
    if (dtype === undefined) {
      throw invalidArgument(`input "${input.name}": unknown dtype code ${input.dtype}; expected one of ${Object.entries(DTYPE_TO_WIRE).map(([n, c]) => `${c} (${n})`).join(', ')}`);
    }
    checkRawTensorLength(input.name, dtype, input.shape, input.dataLength);
    dtypes[i] = dtype;
  }
  const { buffer, offsets } = copyRangesIntoAlignedArena(request.message, inputs.map((input) => input.dataStart), inputs.map((input) => input.dataLength));
  return inputs.map(({ name, shape, dataLength }, i): NamedTensor => {
    const dtype = dtypes[i];
    return { name, tensor: { dtype, dims: shape, data: view(dtype, buffer, offsets[i], dataLength / BYTES_PER_ELEMENT[dtype]) } };
  });
}
