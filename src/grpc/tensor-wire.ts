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
import { checkRawTensorLength } from '../core/decode-tensor';
import type { NamedTensor } from '../core/validate-request';
import { BYTES_PER_ELEMENT, view, type DType } from '../core/tensor';
import { DTYPE_TO_WIRE, dtypeFromWire } from '../protocol/predict-messages';
import type { PredictRequestView } from '../protocol/predict-request-reader';

/** Tensors up to this size are copied byte by byte; larger ones with one `set`. */
const SMALL_COPY_BYTES = 512;
const align8 = (n: number): number => (n + 7) & ~7;

export function decodeInputs(request: PredictRequestView): NamedTensor[] {
  const { inputs, message } = request;
  const dtypes = new Array<DType>(inputs.length);
  let end = 0;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const dtype = dtypeFromWire(input.dtype);
    if (dtype === undefined) {
      throw invalidArgument(`input "${input.name}": unknown dtype code ${input.dtype}; expected one of ${Object.entries(DTYPE_TO_WIRE).map(([n, c]) => `${c} (${n})`).join(', ')}`);
    }
    checkRawTensorLength(input.name, dtype, input.shape, input.dataLength);
    dtypes[i] = dtype;
    end = align8(end) + input.dataLength;
  }
  const buffer = new ArrayBuffer(align8(end));
  const target = new Uint8Array(buffer);
  const named = new Array<NamedTensor>(inputs.length);
  let offset = 0;
  for (let i = 0; i < inputs.length; i++) {
    const { name, shape, dataStart, dataLength } = inputs[i];
    offset = align8(offset);
    if (dataLength > SMALL_COPY_BYTES) target.set(message.subarray(dataStart, dataStart + dataLength), offset);
    else for (let b = 0; b < dataLength; b++) target[offset + b] = message[dataStart + b];
    const dtype = dtypes[i];
    named[i] = { name, tensor: { dtype, dims: shape, data: view(dtype, buffer, offset, dataLength / BYTES_PER_ELEMENT[dtype]) } };
    offset += dataLength;
  }
  return named;
}
