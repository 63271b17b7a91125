/**
 * Paddle's HTTP JSON bodies: a `Request` from JSON, a `Response` to JSON exactly as Paddle's
 * server writes it (protobuf JSON with the proto field names).
 *
 * Contract:
 * - `parsePaddleJsonRequest` accepts what Paddle's HttpClient sends (int64 as numbers or
 *   strings, any field order, unknown fields ignored) and throws INVALID_ARGUMENT naming the
 *   problem for anything else (not JSON, not an object, a field of the wrong type, `null` values,
 *   non-integer or string shapes and elem_types: paddle-json-check.ts).
 * - `formatPaddleJsonResponse` writes fields in field-number order, omits zero scalars, false
 *   and empty lists, writes int64 as plain numbers, float32 values in their shortest form that
 *   reads back to the same float32 (`0.4066131`, not `0.40661310002207756`), and NaN / Infinity
 *   as the strings protobuf JSON uses.
 */
import { invalidArgument } from '../../core/errors';
import { shortestFloat32 } from '../../data/float-format';
import { checkPaddleJsonRequest } from './paddle-json-check';
import { type PaddleRequest, type PaddleResponse, type PaddleTensor, paddleRequestFromObject, paddleResponseFromObject } from './paddle-messages';

export function parsePaddleJsonRequest(text: string): PaddleRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(`request body must be a JSON object (a Paddle Request); got ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}`);
  }
  checkPaddleJsonRequest(value as Record<string, unknown>);
  try {
    return paddleRequestFromObject(value as Record<string, unknown>);
  } catch (error) {
    throw invalidArgument(`request body is not a Paddle Request: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function formatPaddleJsonResponse(response: PaddleResponse): string {
  const fields: string[] = [];
  if (response.outputs.length > 0) {
    const outputs = response.outputs.map((output) => {
      const parts: string[] = [];
      if (output.tensor.length > 0) parts.push(`"tensor":[${output.tensor.map(formatTensor).join(',')}]`);
      if (output.engine_name) parts.push(`"engine_name":${JSON.stringify(output.engine_name)}`);
      return `{${parts.join(',')}}`;
    });
    fields.push(`"outputs":[${outputs.join(',')}]`);
  }
  pushList(fields, 'profile_time', response.profile_time, String);
  if (response.profile_server) fields.push('"profile_server":true');
  if (response.log_id) fields.push(`"log_id":${response.log_id}`);
  if (response.err_no) fields.push(`"err_no":${response.err_no}`);
  if (response.err_msg) fields.push(`"err_msg":${JSON.stringify(response.err_msg)}`);
  return `{${fields.join(',')}}`;
}

function formatTensor(tensor: PaddleTensor): string {
  const fields: string[] = [];
  pushList(fields, 'int64_data', tensor.int64_data, String);
  pushList(fields, 'float_data', tensor.float_data, formatJsonFloat32);
  pushList(fields, 'int_data', tensor.int_data, String);
  pushList(fields, 'float64_data', tensor.float64_data, formatDouble);
  pushList(fields, 'uint32_data', tensor.uint32_data, String);
  pushList(fields, 'bool_data', tensor.bool_data, String);
  if (tensor.elem_type) fields.push(`"elem_type":${tensor.elem_type}`);
  pushList(fields, 'shape', tensor.shape, String);
  pushList(fields, 'lod', tensor.lod, String);
  if (tensor.name) fields.push(`"name":${JSON.stringify(tensor.name)}`);
  if (tensor.alias_name) fields.push(`"alias_name":${JSON.stringify(tensor.alias_name)}`);
  if (tensor.tensor_content !== undefined && tensor.tensor_content.byteLength > 0) {
    fields.push(`"tensor_content":"${Buffer.from(tensor.tensor_content.buffer, tensor.tensor_content.byteOffset, tensor.tensor_content.byteLength).toString('base64')}"`);
  }
  return `{${fields.join(',')}}`;
}

function pushList<T>(fields: string[], name: string, values: ArrayLike<T> | undefined, format: (value: T) => string): void {
  if (values === undefined || values.length === 0) return;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = format(values[i]);
  fields.push(`"${name}":[${parts.join(',')}]`);
}

function nonFinite(value: number): string | undefined {
  if (Number.isNaN(value)) return '"NaN"';
  if (value === Number.POSITIVE_INFINITY) return '"Infinity"';
  if (value === Number.NEGATIVE_INFINITY) return '"-Infinity"';
  return undefined;
}

/** JSON number for a float32: the shortest decimal that reads back to it; NaN and infinities quoted. */
export function formatJsonFloat32(value: number): string {
  return nonFinite(value) ?? shortestFloat32(value);
}

function formatDouble(value: number): string {
  return nonFinite(value) ?? String(value);
}

/** A Request in the JSON layout Paddle's HttpClient posts. */
export function formatPaddleJsonRequest(request: Partial<PaddleRequest>): string {
  const fields: string[] = [];
  if (request.tensor !== undefined && request.tensor.length > 0) fields.push(`"tensor":[${request.tensor.map(formatTensor).join(',')}]`);
  if (request.fetch_var_names !== undefined && request.fetch_var_names.length > 0) fields.push(`"fetch_var_names":${JSON.stringify(request.fetch_var_names)}`);
  if (request.profile_server) fields.push('"profile_server":true');
  if (request.log_id) fields.push(`"log_id":${request.log_id}`);
  return `{${fields.join(',')}}`;
}

/** A Response from Paddle's JSON (the client side); throws INVALID_ARGUMENT when it is not one. */
export function parsePaddleJsonResponse(text: string): PaddleResponse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`response body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return paddleResponseFromObject(value as Record<string, unknown>);
  } catch (error) {
    throw invalidArgument(`response body is not a Paddle Response: ${error instanceof Error ? error.message : String(error)}`);
  }
}
