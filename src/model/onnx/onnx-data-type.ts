/**
 * ONNX TensorProto.DataType numbers and the element types rec-serving supports.
 *
 * Contract: `OnnxDType` is the same string set as the server's host-tensor dtypes
 * (core/tensor.ts); it is declared here too so that model/ does not depend on core/.
 * Every supported dtype round-trips: `onnxDTypeFromCode(ONNX_DATA_TYPE[d]) === d`.
 */

export type OnnxDType = 'int64' | 'int32' | 'float32' | 'float64' | 'float16' | 'uint8' | 'int8' | 'bool';

/** TensorProto.DataType values (onnx.proto) for the supported element types. */
export const ONNX_DATA_TYPE: Readonly<Record<OnnxDType, number>> = {
  float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11,
};

/** Names of every TensorProto.DataType, for error messages about unsupported ones. */
const ONNX_DATA_TYPE_NAMES: readonly string[] = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL',
  'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16',
  'FLOAT8E4M3FN', 'FLOAT8E4M3FNUZ', 'FLOAT8E5M2', 'FLOAT8E5M2FNUZ', 'UINT4', 'INT4', 'FLOAT4E2M1',
];

/** Integer TensorProto.DataType values (ids may flow through a Cast to any of these). */
export const ONNX_INTEGER_DATA_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

const BY_CODE = new Map<number, OnnxDType>(
  (Object.entries(ONNX_DATA_TYPE) as [OnnxDType, number][]).map(([d, c]) => [c, d]),
);

/** The dtype for a TensorProto.DataType number, or undefined when rec-serving can't serve it. */
export function onnxDTypeFromCode(code: number): OnnxDType | undefined {
  return BY_CODE.get(code);
}

/** A readable name for any TensorProto.DataType number, e.g. `STRING (8)`. */
export function onnxDataTypeName(code: number): string {
  return `${ONNX_DATA_TYPE_NAMES[code] ?? 'UNKNOWN'} (${code})`;
}

export function isIntegerDType(dtype: OnnxDType): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'uint8' || dtype === 'int8';
}

/** Typed arrays accepted as initializer data, matched to their dtype. */
export type OnnxTensorData =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array | Int8Array;
