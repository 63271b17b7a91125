/**
 * Requests as Paddle Serving's clients build them: the HttpClient's JSON layout, the same Request
 * serialized for `application/proto` and gRPC, and a baidu_std `PRPC` frame, for the DeepFM feed
 * (C1..C26 int64 [rows,1], dense_input fp32 [rows,13]). paddle-golden.test.ts checks that the JSON
 * and proto bodies equal what Paddle's own HttpClient sent for the same rows. Expected scores come
 * from the reference DeepFM, never from the server.
 */
import type { HostTensor } from '../../src/core/tensor';
import { runDeepFmReference } from './deepfm-reference';
import type { DeepFmWeights } from '../../src/model/deepfm/deepfm-weights';
import { encodePaddleRequest, encodeRpcMeta } from '../../src/paddle/service/paddle-messages';

export const FULL_SERVICE = 'baidu.paddle_serving.predictor.general_model.GeneralModelService';
export const GRPC_INFERENCE_PATH = `/${FULL_SERVICE}/inference`;

/** A Request as a plain object with proto field names, in the HttpClient's key order. */
export function paddleRequestObject(feed: Record<string, HostTensor>, options: { fetch?: string[]; logId?: number; order?: string[] } = {}) {
  const names = options.order ?? Object.keys(feed);
  return {
    fetch_var_names: options.fetch ?? ['sigmoid_0.tmp_0'],
    log_id: options.logId ?? 8,
    tensor: names.map((name) => {
      const t = feed[name];
      const values = t.dtype === 'int64' ? { int64_data: Array.from(t.data as BigInt64Array, Number) } : { float_data: Array.from(t.data as Float32Array) };
      return { ...values, shape: [...t.dims], elem_type: t.dtype === 'int64' ? 0 : 1, name, alias_name: name };
    }),
  };
}

export function paddleJsonBody(feed: Record<string, HostTensor>, options: Parameters<typeof paddleRequestObject>[1] = {}): string {
  return JSON.stringify(paddleRequestObject(feed, options));
}

export function paddleProtoBody(feed: Record<string, HostTensor>, options: Parameters<typeof paddleRequestObject>[1] & { profile?: boolean } = {}): Buffer {
  const object = paddleRequestObject(feed, options);
  return Buffer.from(encodePaddleRequest({ ...object, profile_server: options.profile ?? false }));
}

/** A baidu_std frame: "PRPC", body_size, meta_size (big-endian), RpcMeta, payload. */
export function prpcFrame(payload: Uint8Array, meta: { correlationId: number; compressType?: number; service?: string; method?: string }): Buffer {
  const metaBytes = encodeRpcMeta({
    request: { service_name: meta.service ?? FULL_SERVICE, method_name: meta.method ?? 'inference', log_id: 0 },
    compress_type: meta.compressType ?? 0,
    correlation_id: meta.correlationId,
  });
  const header = Buffer.alloc(12);
  header.write('PRPC', 0, 'latin1');
  header.writeUInt32BE(metaBytes.byteLength + payload.byteLength, 4);
  header.writeUInt32BE(metaBytes.byteLength, 8);
  return Buffer.concat([header, metaBytes, payload]);
}

export function expectedScores(weights: DeepFmWeights, feed: Record<string, HostTensor>): Float64Array | number[] {
  const rows = feed.C1.dims[0];
  const sparse = Array.from({ length: 26 }, (_, f) => feed[`C${f + 1}`].data as BigInt64Array);
  return runDeepFmReference(weights, { batchSize: rows, sparse, dense: feed.dense_input.data as Float32Array }).probabilities as Float64Array | number[];
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > 1e-5 * Math.max(1, Math.abs(expected[i]))) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}
