/**
 * The Open Inference Protocol's REST inference bodies: a JSON request (KServe V2 `$inference_request`)
 * with Triton's binary tensor data extension in, a JSON (or JSON + binary) response out.
 *
 * Contract:
 * - `parseInferBody(body, headerLength, model, version)`: with `headerLength` (the request's
 *   `Inference-Header-Content-Length`) the first `headerLength` bytes are the JSON and the rest is
 *   binary tensor data, consumed in input order by every input whose `parameters.binary_data_size`
 *   is set (those inputs have no `data`); the sizes must add up to the binary part exactly. Every
 *   field is type-checked and a wrong one rejected with INVALID_ARGUMENT naming it (`inputs[2].shape`).
 * - Outputs are binary when their `parameters.binary_data` says so, else when the request's
 *   `parameters.binary_data_output` is true; binary outputs carry `parameters.binary_data_size`
 *   and no `data`, their bytes follow the JSON in output order, and `headerLength` is then set.
 * - JSON numbers: float32 in the shortest form that reads back to the same float32, int64 exact.
 */
import { invalidArgument } from '../../core/errors';
import type { HostTensor } from '../../core/tensor';
import { toLittleEndianBytes } from '../../core/tensor';
import { formatJsonFloat32 } from '../../paddle/service/paddle-json';
import type { OipInferRequest, OipParameterValue, OipParameters } from '../oip-infer';
import { DATATYPE_OF_DTYPE, valuesToJson, type OipInputTensor } from '../oip-tensors';

export interface ParsedInferBody {
  readonly request: OipInferRequest;
  /** Whether output i (by requested position, or by signature position when none were named) goes binary. */
  readonly binaryOutput: (name: string) => boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`);
const wrong = (field: string, expected: string, value: unknown) => invalidArgument(`${field} must be ${expected}; got ${kind(value)}`);

function parameters(field: string, value: unknown): OipParameters {
  if (value === undefined) return {};
  if (!isObject(value)) throw wrong(field, 'an object', value);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'boolean' && typeof v !== 'number' && typeof v !== 'string') throw wrong(`${field}.${key}`, 'a boolean, number or string', v);
  }
  return value as Record<string, OipParameterValue>;
}

function optionalString(field: string, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw wrong(field, 'a string', value);
  return value;
}

export function parseInferBody(body: Buffer, headerLength: number | undefined, modelName: string, modelVersion: string): ParsedInferBody {
  const jsonEnd = headerLength ?? body.byteLength;
  if (headerLength !== undefined && (!Number.isSafeInteger(headerLength) || headerLength < 1 || headerLength > body.byteLength)) {
    throw invalidArgument(`Inference-Header-Content-Length must be an integer in [1, ${body.byteLength}] (the body's size); got ${headerLength}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body.subarray(0, jsonEnd).toString('utf8'));
  } catch (error) {
    throw invalidArgument(`inference request ${headerLength === undefined ? 'body' : 'header (the first Inference-Header-Content-Length bytes)'} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(value)) throw wrong('the inference request', 'a JSON object', value);
  const id = optionalString('"id"', value.id);
  const requestParameters = parameters('"parameters"', value.parameters);
  if (!Array.isArray(value.inputs) || value.inputs.length === 0) throw wrong('"inputs"', 'a non-empty array of input tensors', value.inputs);
  let offset = jsonEnd;
  const inputs: OipInputTensor[] = value.inputs.map((input: unknown, i: number) => {
    const at = `inputs[${i}]`;
    if (!isObject(input)) throw wrong(at, 'an object', input);
    if (typeof input.name !== 'string') throw wrong(`${at}.name`, 'a string', input.name);
    const named = `${at} ("${input.name}")`;
    if (typeof input.datatype !== 'string') throw wrong(`${named}.datatype`, 'a string such as "INT64" or "FP32"', input.datatype);
    if (!Array.isArray(input.shape)) throw wrong(`${named}.shape`, 'an array of non-negative integers', input.shape);
    const inputParameters = parameters(`${named}.parameters`, input.parameters);
    const size = inputParameters.binary_data_size;
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw wrong(`${named}.parameters.binary_data_size`, 'a non-negative integer', size);
      if (input.data !== undefined) throw invalidArgument(`${named} has both "data" and parameters.binary_data_size; expected one or the other`);
      if (headerLength === undefined) throw invalidArgument(`${named} has parameters.binary_data_size but the request has no Inference-Header-Content-Length header (no binary data)`);
      if (offset + size > body.byteLength) {
        throw invalidArgument(`${named}: binary_data_size ${size} runs past the binary data (${body.byteLength - jsonEnd} bytes after the JSON header; ${body.byteLength - offset} left)`);
      }
      const raw = body.subarray(offset, offset + size);
      offset += size;
      return { name: input.name, datatype: input.datatype, shape: input.shape, raw };
    }
    if (!Array.isArray(input.data)) throw wrong(`${named}.data`, 'an array of values (row-major, flat or nested)', input.data);
    return { name: input.name, datatype: input.datatype, shape: input.shape, values: input.data, valuesField: 'data' };
  });
  if (offset !== body.byteLength) {
    throw invalidArgument(`the binary data after the JSON header is ${body.byteLength - jsonEnd} bytes but the inputs' binary_data_size add up to ${offset - jsonEnd}`);
  }
  if (value.outputs !== undefined && !Array.isArray(value.outputs)) throw wrong('"outputs"', 'an array of requested outputs', value.outputs);
  const outputs = ((value.outputs ?? []) as unknown[]).map((output, i) => {
    const at = `outputs[${i}]`;
    if (!isObject(output)) throw wrong(at, 'an object', output);
    if (typeof output.name !== 'string') throw wrong(`${at}.name`, 'a string', output.name);
    return { name: output.name, parameters: parameters(`${at} ("${output.name}").parameters`, output.parameters) };
  });
  const all = requestParameters.binary_data_output;
  if (all !== undefined && typeof all !== 'boolean') throw wrong('parameters.binary_data_output', 'a boolean', all);
  const perOutput = new Map<string, boolean>();
  for (const output of outputs) {
    const binary = output.parameters.binary_data;
    if (binary === undefined) continue;
    if (typeof binary !== 'boolean') throw wrong(`output "${output.name}" parameters.binary_data`, 'a boolean', binary);
    perOutput.set(output.name, binary);
  }
  return {
    request: { modelName, modelVersion, id, parameters: requestParameters, inputs, outputs },
    binaryOutput: (name) => perOutput.get(name) ?? all === true,
  };
}

export interface FormattedInferResponse {
  readonly body: Buffer;
  /** Set when binary outputs follow the JSON: the JSON's length (Inference-Header-Content-Length). */
  readonly headerLength?: number;
}

export function formatInferResponse(
  response: { modelName: string; modelVersion: string; id: string; outputs: ReadonlyArray<{ name: string; tensor: HostTensor }> },
  binaryOutput: (name: string) => boolean,
): FormattedInferResponse {
  const binaries: Uint8Array[] = [];
  const outputs = response.outputs.map(({ name, tensor }) => {
    const head = `{"name":${JSON.stringify(name)},"datatype":"${DATATYPE_OF_DTYPE[tensor.dtype]}","shape":[${tensor.dims.join(',')}]`;
    if (binaryOutput(name)) {
      const bytes = toLittleEndianBytes(tensor.data);
      binaries.push(bytes);
      return `${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`;
    }
    return `${head},"data":${valuesToJson(tensor, formatJsonFloat32)}}`;
  });
  const id = response.id === '' ? '' : `,"id":${JSON.stringify(response.id)}`;
  const json = Buffer.from(`{"model_name":${JSON.stringify(response.modelName)},"model_version":${JSON.stringify(response.modelVersion)}${id},"outputs":[${outputs.join(',')}]}`, 'utf8');
  if (binaries.length === 0) return { body: json };
  return { body: Buffer.concat([json, ...binaries]), headerLength: json.byteLength };
}
