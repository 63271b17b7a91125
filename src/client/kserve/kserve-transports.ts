/**
 * `--client_mode kserve-grpc` and `--client_mode kserve-http`: the Open Inference Protocol
 * clients as prediction transports for rec-client and the benchmarks.
 *
 * Contract: feeds go out by their keys (aliases), fetch names as requested outputs, the request
 * id as the OIP `id`. The model is `options.modelName`; without one, gRPC asks for the server's
 * default model (empty name) and HTTP (whose path needs a name) uses the one READY model of the
 * server's repository index, or fails naming the models when there are several. The protocol
 * carries no server timings: `serverMicros` is NaN.
 */
import { Code, ServingError } from '../../core/errors';
import type { HostTensor } from '../../core/tensor';
import type { PredictionTransport, TransportResult } from '../prediction-transport';
import type { TransportOptions } from '../transport-options';
import { KServeGrpcClient } from './kserve-grpc-client';
import { KServeHttpClient } from './kserve-http-client';

function transport(mode: string, client: KServeGrpcClient | KServeHttpClient, modelName: () => Promise<string>): PredictionTransport {
  return {
    mode,
    async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const result = await client.infer(await modelName(), feed, { outputs: fetch, id: String(requestId) });
      return { outputs: result.outputs, clientMicros: result.clientMicros, serverMicros: Number.NaN };
    },
    close: () => client.close(),
  };
}

export function createKServeGrpcTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const client = KServeGrpcClient.connect(address, { deadlineMs, ...(options.security === undefined ? {} : { security: options.security }) });
  const name = options.modelName ?? '';
  return transport('kserve-grpc', client, async () => name);
}

export function createKServeHttpTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const client = KServeHttpClient.connect(address, { deadlineMs, ...(options.security === undefined ? {} : { security: options.security }) });
  let name: Promise<string> | undefined = options.modelName === undefined ? undefined : Promise.resolve(options.modelName);
  const resolve = async () => {
    // Statistics, not the repository index: with authentication on, the index is an admin call.
    const names = [...new Set((await client.modelStatistics()).map((m) => String(m.name)))];
    if (names.length !== 1) {
      throw new ServingError(Code.INVALID_ARGUMENT, `the server at ${address} serves ${names.length} ready models (${names.join(', ')}); the kserve-http mode needs exactly one, or a model name`);
    }
    return names[0];
  };
  return transport('kserve-http', client, () => {
    name ??= resolve().catch((error: unknown) => {
      name = undefined;
      throw error;
    });
    return name;
  });
}
