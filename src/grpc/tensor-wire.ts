/**
 * Predict request tensors into core HostTensors (the response is written by
 * protocol/predict-message-writer.ts).
 *
 * Contract: `decodeInputs` validates every input's dtype code and byte length, in order
 * (INVALID_ARGUMENT naming the first bad input, its expected and actual value), then copies all
 * their raw_data from the message into ONE request arena, each tensor 8-byte aligned (no
 * ArrayBuffer of its own for a small request: core/aligned-arena.ts `requestArena`; see
 * core/decode-tensor.ts for why one buffer), and returns views of it, and whether the arena's
 * buffer may be moved to a worker (`movable`).
 */
import { invalidArgument } from '../core/errors';
import { copyRangesIntoAlignedArena } from '../core/aligned-arena';
import { checkRawTensorLength } from '../core/decode-tensor';
import type { NamedTensor } from '../core/validate-request';
import { BYTES_PER_ELEMENT, view, type DType } from '../core/tensor';
import { DTYPE_TO_WIRE, dtypeFromWire } from '../protocol/predict-messages';
import type { PredictRequestView } from '../protocol/predict-request-reader';

export function decodeInputs(request: PredictRequestView): { inputs: NamedTensor[]; movable: boolean } {
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
  const { buffer, offsets, movable } = copyRangesIntoAlignedArena(request.message, inputs.map((input) => input.dataStart), inputs.map((input) => input.dataLength));
  const decoded = inputs.map(({ name, shape, dataLength }, i): NamedTensor => {
    const dtype = dtypes[i];
    return { name, tensor: { dtype, dims: shape, data: view(dtype, buffer, offsets[i], dataLength / BYTES_PER_ELEMENT[dtype]) } };
  });
  return { inputs: decoded, movable };
}
