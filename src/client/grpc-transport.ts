/**
 * `--client_mode grpc`: rec-serving's own Predict RPC through RecServingClient.
 */
import type { HostTensor } from '../core/tensor';
import type { PredictionTransport, TransportResult } from './prediction-transport';
import { RecServingClient } from './rec-serving-client';
import type { TransportOptions } from './transport-options';

export function createGrpcTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const client = RecServingClient.connect(address, { ...options.balancing, deadlineMs, ...(options.security === undefined ? {} : { security: options.security }) });
  return {
    mode: 'grpc',
    async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const result = await client.predict(feed, fetch, { requestId });
      return {
        outputs: result.outputs,
        clientMicros: result.clientMicros,
        serverMicros: result.server.endMicros - result.server.startMicros,
        queueMicros: result.server.queueMicros,
        computeMicros: result.server.computeMicros,
        executedBatchRows: result.server.executedBatchRows,
      };
    },
    close: () => client.close(),
  };
}
