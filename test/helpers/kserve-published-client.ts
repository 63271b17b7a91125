/**
 * A plain @grpc/grpc-js client of `inference.GRPCInferenceService` built by @grpc/proto-loader
 * from proto/kserve/grpc_service.proto (the published package, names and field numbers), as a
 * Triton / KServe user would build one: no rec-serving encoder involved. Methods are promisified;
 * a failed call rejects with the grpc-js ServiceError (code, details).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { KSERVE_PROTO, KSERVE_PROTO_DIR } from '../../src/protocol/proto-paths';
import type { HostTensor } from '../../src/core/tensor';

const definition = protoLoader.loadSync(KSERVE_PROTO, { includeDirs: [KSERVE_PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const pkg = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };

export type Call = (request: object, options?: { deadlineMs?: number; metadata?: grpc.Metadata }) => Promise<any>;

export function publishedOipClient(target: string): { call(method: string): Call; close(): void } {
  const client = new pkg.inference.GRPCInferenceService(target, grpc.credentials.createInsecure());
  return {
    call: (method) => (request, options = {}) => new Promise((resolve, reject) => {
      const callOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
      (client as unknown as Record<string, Function>)[method](request, options.metadata ?? new grpc.Metadata(), callOptions, (error: grpc.ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response)));
    }),
    close: () => client.close(),
  };
}

/** The feed as raw_input_contents (little-endian bytes, one entry per input). */
export function rawInferRequest(feed: Record<string, HostTensor>, extra: object = {}): object {
  const names = Object.keys(feed);
  return {
    model_name: '',
    inputs: names.map((name) => ({ name, datatype: feed[name].dtype === 'int64' ? 'INT64' : 'FP32', shape: feed[name].dims.map(String) })),
    raw_input_contents: names.map((name) => Buffer.from(feed[name].data.buffer, feed[name].data.byteOffset, feed[name].data.byteLength)),
    ...extra,
  };
}

/** The feed as typed contents (int64_contents as decimal strings, fp32_contents as numbers). */
export function typedInferRequest(feed: Record<string, HostTensor>, extra: object = {}): object {
  return {
    model_name: '',
    inputs: Object.entries(feed).map(([name, t]) => ({
      name,
      datatype: t.dtype === 'int64' ? 'INT64' : 'FP32',
      shape: t.dims.map(String),
      contents: t.dtype === 'int64' ? { int64_contents: Array.from(t.data as BigInt64Array, String) } : { fp32_contents: Array.from(t.data as Float32Array) },
    })),
    ...extra,
  };
}

/** FP32 values of a raw output. */
export function rawFloats(bytes: Buffer): Float32Array {
  const copy = Buffer.from(bytes);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}
