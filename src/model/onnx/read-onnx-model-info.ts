/**
 * Reads what the server needs to know about an ONNX model without loading it into ONNX Runtime:
 * graph inputs and outputs (name, dtype, dims), metadata_props, the opset, the producer, and the
 * valid id range of each integer input (see infer-id-ranges.ts).
 *
 * Contract: `dims` uses -1 for every dynamic dimension (symbolic or unknown). Initializers that
 * older exporters also list as graph inputs are not reported as inputs. Throws an Error naming
 * the file (or "<bytes>") when the bytes are not a valid ONNX model, or when an input/output has
 * an element type the server cannot serve. A 40 MB model reads in tens of milliseconds: the
 * weights are never copied.
 */
import { readFileSync } from 'node:fs';
import { toSafeNumber } from './onnx-schema';
import { onnxDataTypeName, onnxDTypeFromCode, isIntegerDType, type OnnxDType } from './onnx-data-type';
import { decodeOnnxModel, type DecodedValueInfo } from './decode-onnx-model';
import { inferIdRanges, type IdRange } from './infer-id-ranges';

export interface OnnxTensorInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  /** Dimensions, -1 where dynamic (e.g. the batch). */
  readonly dims: readonly number[];
}

export interface OnnxModelInfo {
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Inclusive valid id range per integer input that indexes a table (or has an explicit override). */
  readonly idRanges: ReadonlyMap<string, IdRange>;
  /** Version of the default ("" / "ai.onnx") opset. */
  readonly opsetVersion: number;
  readonly producerName: string;
}

/** Reads model info from a file path, or from bytes (`source` then labels error messages). */
export function readOnnxModelInfo(pathOrBytes: string | Uint8Array, source?: string): OnnxModelInfo {
  let bytes: Uint8Array;
  let label: string;
  if (typeof pathOrBytes === 'string') {
    label = source ?? pathOrBytes;
    try {
      bytes = readFileSync(pathOrBytes);
    } catch (err) {
      throw new Error(`cannot read ONNX model ${label}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    bytes = pathOrBytes;
    label = source ?? '<bytes>';
  }

  const model = decodeOnnxModel(bytes, label);
  const graph = model.graph!;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const tensorInfo = (value: DecodedValueInfo, role: string): OnnxTensorInfo => {
    const tensorType = value.type?.tensor_type;
    if (!tensorType) throw new Error(`${label}: ${role} "${value.name}" is not a tensor`);
    const code = tensorType.elem_type ?? 0;
    const dtype = onnxDTypeFromCode(code);
    if (dtype === undefined) {
      throw new Error(`${label}: ${role} "${value.name}" has element type ${onnxDataTypeName(code)}, which is not supported`);
    }
    // Only a dim_value actually present on the wire is fixed; dim_param or nothing means dynamic.
    const dims = (tensorType.shape?.dim ?? []).map((d) =>
      Object.prototype.hasOwnProperty.call(d, 'dim_value') && !d.dim_param ? toSafeNumber(d.dim_value) : -1);
    return { name: value.name!, dtype, dims };
  };

  const inputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name)).map((v) => tensorInfo(v, 'input'));
  const outputs = (graph.output ?? []).map((v) => tensorInfo(v, 'output'));
  const metadata: Record<string, string> = {};
  for (const entry of model.metadata_props ?? []) {
    if (entry.key) metadata[entry.key] = entry.value ?? '';
  }
  const defaultOpset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const integerInputs = inputs.filter((i) => isIntegerDType(i.dtype)).map((i) => i.name);
  return {
    inputs,
    outputs,
    metadata,
    idRanges: inferIdRanges(graph, integerInputs, metadata, label),
    opsetVersion: defaultOpset ? toSafeNumber(defaultOpset.version) : 0,
    producerName: model.producer_name ?? '',
  };
}
