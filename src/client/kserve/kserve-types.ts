/**
 * What the Open Inference Protocol clients (gRPC and HTTP) take and return, and the conversions
 * both share: request parameters onto the published InferParameter oneof, and answered
 * tensors (raw bytes or values) onto HostTensors.
 *
 * Contract: answered tensors are fresh copies keyed by the name the server answered under;
 * a tensor that cannot be read (unknown datatype, wrong byte count) throws INTERNAL naming it.
 */
import { Code, ServingError } from '../../core/errors';
import { decodeRawTensor } from '../../core/decode-tensor';
import type { HostTensor } from '../../core/tensor';
import type { ClientSecurity } from '../client-security';
import { dtypeOfDatatype, tensorFromValues } from '../../kserve/oip-tensors';

export type KServeParameter = boolean | number | string;

export interface KServeInferOptions {
  /** Empty: the newest version the server serves. */
  readonly modelVersion?: string;
  /** Echoed by the server. */
  readonly id?: string;
  /** Outputs to return, by name; empty: all. */
  readonly outputs?: readonly string[];
  /** Request parameters (e.g. `timeout` in µs). */
  readonly parameters?: Readonly<Record<string, KServeParameter>>;
  /** Per-call deadline, ms; 0 = none (default: the client's). */
  readonly deadlineMs?: number;
}

export interface KServeInferResult {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string;
  readonly outputs: Record<string, HostTensor>;
  /** Round trip seen by the client (encode, send, wait, receive, decode), microseconds. */
  readonly clientMicros: number;
}

export interface KServeClientOptions {
  /** Default per-call deadline, ms; 0 = none. */
  readonly deadlineMs?: number;
  /** TLS (CA, client certificate, server name) and a bearer token sent on every call. */
  readonly security?: ClientSecurity;
}

export interface KServeTensorMetadata { readonly name: string; readonly datatype: string; readonly shape: readonly number[] }
export interface KServeModelMetadata { readonly name: string; readonly versions: readonly string[]; readonly platform: string; readonly inputs: readonly KServeTensorMetadata[]; readonly outputs: readonly KServeTensorMetadata[] }
export interface KServeServerMetadata { readonly name: string; readonly version: string; readonly extensions: readonly string[] }
export interface KServeRepositoryEntry { readonly name: string; readonly version: string; readonly state: string; readonly reason: string }

/** The published InferParameter oneof for a value. */
export function inferParameter(value: KServeParameter): Record<string, unknown> {
  if (typeof value === 'boolean') return { bool_param: value };
  if (typeof value === 'string') return { string_param: value };
  return Number.isSafeInteger(value) ? { int64_param: value } : { double_param: value };
}

export function answeredTensor(name: string, datatype: string, shape: readonly number[], data: { raw: Uint8Array } | { values: ArrayLike<unknown> }): HostTensor {
  try {
    const dtype = dtypeOfDatatype(name, datatype, 'output');
    return 'raw' in data ? decodeRawTensor(name, dtype, shape, data.raw) : tensorFromValues(name, dtype, shape, data.values, 'data');
  } catch (error) {
    throw new ServingError(Code.INTERNAL, `cannot read output "${name}" of the server's answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
