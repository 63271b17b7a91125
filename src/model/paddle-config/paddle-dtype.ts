/**
 * Paddle's element-type codes (`feed_type` / `fetch_type` in the model config, `elem_type` on
 * the wire) and how they map onto this server's `DType`.
 *
 * Contract: `dtypeOfPaddleCode()` returns the DType for every code this server can serve and
 * throws `INVALID_ARGUMENT` naming the code, its Paddle name and the variable for any other
 * (INT16, BF16 and STRING exist in Paddle but are not served here). `paddleCodeOfDType()` is
 * its inverse and total over `DType`.
 */
import { invalidArgument } from '../../core/errors';
import type { DType } from '../../core/tensor';

/** Paddle's numbering, shared by the config and the RPC's `elem_type`. */
export const PaddleTypeCode = {
  INT64: 0, FP32: 1, INT32: 2, FP64: 3, INT16: 4, FP16: 5, BF16: 6, UINT8: 7, INT8: 8, BOOL: 9,
  STRING: 20,
} as const;
export type PaddleTypeCode = (typeof PaddleTypeCode)[keyof typeof PaddleTypeCode];

const DTYPE_BY_CODE: ReadonlyMap<number, DType> = new Map<number, DType>([
  [PaddleTypeCode.INT64, 'int64'],
  [PaddleTypeCode.FP32, 'float32'],
  [PaddleTypeCode.INT32, 'int32'],
  [PaddleTypeCode.FP64, 'float64'],
  [PaddleTypeCode.FP16, 'float16'],
  [PaddleTypeCode.UINT8, 'uint8'],
  [PaddleTypeCode.INT8, 'int8'],
  [PaddleTypeCode.BOOL, 'bool'],
]);

const CODE_BY_DTYPE: Readonly<Record<DType, number>> = {
  int64: PaddleTypeCode.INT64, float32: PaddleTypeCode.FP32, int32: PaddleTypeCode.INT32,
  float64: PaddleTypeCode.FP64, float16: PaddleTypeCode.FP16, uint8: PaddleTypeCode.UINT8,
  int8: PaddleTypeCode.INT8, bool: PaddleTypeCode.BOOL,
};

/** "20 (STRING)" for a known code, "42" for an unknown one. */
export function describePaddleCode(code: number): string {
  const entry = Object.entries(PaddleTypeCode).find(([, value]) => value === code);
  return entry === undefined ? String(code) : `${code} (${entry[0]})`;
}

const SUPPORTED = [...DTYPE_BY_CODE.keys()].map(describePaddleCode).join(', ');

/**
 * The DType for a Paddle type code.
 * @param what names the variable and field for the message, e.g. `feed_var "C1" feed_type`.
 */
export function dtypeOfPaddleCode(code: number, what: string): DType {
  const dtype = DTYPE_BY_CODE.get(code);
  if (dtype !== undefined) return dtype;
  const known = Object.values(PaddleTypeCode).includes(code as PaddleTypeCode);
  const problem = known
    ? `type ${describePaddleCode(code)} is not supported by this server`
    : `unknown type code ${code}`;
  return fail(`${what}: ${problem}; supported: ${SUPPORTED}`);
}

/** The Paddle type code for a DType. */
export function paddleCodeOfDType(dtype: DType): number {
  return CODE_BY_DTYPE[dtype];
}

function fail(message: string): never {
  throw invalidArgument(message);
}
