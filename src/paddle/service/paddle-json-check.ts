/**
 * Strict shape check of a Paddle JSON Request before protobufjs converts it (protobufjs coerces:
 * `null` becomes 0, `5.5` in an int32 field becomes 5, `"0"` becomes 0). Run by
 * `parsePaddleJsonRequest` on every HTTP JSON body.
 *
 * Contract: `checkPaddleJsonRequest(value)` returns when every known field has its JSON type and
 * throws INVALID_ARGUMENT naming the tensor, the field, the index, what was expected and what was
 * got otherwise. Accepted as protobuf's JSON mapping writes them: int64/uint64 as numbers or
 * integer strings; float/double as numbers or "NaN" / "Infinity" / "-Infinity" (refused later,
 * with the row, by request validation). Not accepted: `null` anywhere in a field, shape/lod/
 * elem_type that are not JSON integers. Unknown fields are ignored, as Paddle does.
 */
import { invalidArgument } from '../../core/errors';

type Check = (value: unknown) => string | undefined;

const INTEGER_STRING = /^-?\d+$/;
const FLOAT_WORDS = new Set(['NaN', 'Infinity', '-Infinity']);

const int64: Check = (v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && INTEGER_STRING.test(v)) ? undefined : 'an integer (number or integer string)';
const int32: Check = (v) => typeof v === 'number' && Number.isInteger(v) ? undefined : 'an integer';
const float: Check = (v) => typeof v === 'number' || (typeof v === 'string' && FLOAT_WORDS.has(v)) ? undefined : 'a number';
const bool: Check = (v) => typeof v === 'boolean' ? undefined : 'true or false';
const string: Check = (v) => typeof v === 'string' ? undefined : 'a string';

/** Repeated fields of Tensor and the type of their elements. */
const TENSOR_LISTS: ReadonlyArray<readonly [string, Check]> = [
  ['int64_data', int64], ['float_data', float], ['int_data', int32], ['float64_data', float], ['uint32_data', int32],
  ['bool_data', bool], ['complex64_data', float], ['complex128_data', float], ['data', string], ['shape', int32], ['lod', int32],
];
const TENSOR_SCALARS: ReadonlyArray<readonly [string, Check]> = [['elem_type', int32], ['name', string], ['alias_name', string], ['tensor_content', string]];

export function checkPaddleJsonRequest(request: Record<string, unknown>): void {
  checkScalar(request, 'log_id', int64, 'request');
  checkScalar(request, 'profile_server', bool, 'request');
  checkList(request, 'fetch_var_names', string, 'request');
  const tensors = request.tensor;
  if (tensors === undefined) return;
  if (!Array.isArray(tensors)) throw invalidArgument(`request field "tensor" must be an array of tensors; got ${describe(tensors)}`);
  tensors.forEach((tensor: unknown, i) => {
    if (tensor === null || typeof tensor !== 'object' || Array.isArray(tensor)) throw invalidArgument(`tensor[${i}] must be an object; got ${describe(tensor)}`);
    const fields = tensor as Record<string, unknown>;
    const name = typeof fields.name === 'string' && fields.name !== '' ? fields.name : typeof fields.alias_name === 'string' ? fields.alias_name : '';
    const where = name === '' ? `tensor[${i}]` : `input "${name}"`;
    for (const [field, check] of TENSOR_SCALARS) checkScalar(fields, field, check, where);
    for (const [field, check] of TENSOR_LISTS) checkList(fields, field, check, where);
  });
}

function checkScalar(object: Record<string, unknown>, field: string, check: Check, where: string): void {
  const value = object[field];
  if (value === undefined) return;
  const expected = check(value);
  if (expected !== undefined) throw invalidArgument(`${where}: ${field} must be ${expected}; got ${describe(value)}`);
}

function checkList(object: Record<string, unknown>, field: string, check: Check, where: string): void {
  const values = object[field];
  if (values === undefined) return;
  if (!Array.isArray(values)) throw invalidArgument(`${where}: ${field} must be an array; got ${describe(values)}`);
  for (let i = 0; i < values.length; i++) {
    const expected = check(values[i]);
    if (expected !== undefined) throw invalidArgument(`${where}: ${field}[${i}] must be ${expected}; got ${describe(values[i])}`);
  }
}

/** A short rendering of a JSON value for messages (long strings are cut; the 1 KiB cap applies after). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value)}`;
  return String(value);
}
