/**
 * `--client_mode paddle-grpc`: Paddle's GeneralModelService.inference over gRPC, as Paddle's
 * HttpClient sends it in gRPC mode.
 */
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import { PADDLE_GRPC_PATHS, decodePaddleResponse } from '../paddle/service/paddle-messages';
import { writePaddleRequest } from '../paddle/service/paddle-request-writer';
import { BalancedChannel } from './balanced-channel';
import { readPaddleResponse } from './paddle-wire-codec';
import type { PredictionTransport, TransportResult } from './prediction-transport';
import type { TransportOptions } from './transport-options';

export function createPaddleGrpcTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const channel = BalancedChannel.connect(address, { ...options.balancing, ...(options.security === undefined ? {} : { security: options.security }) });
  return {
    mode: 'paddle-grpc',
    async predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const started = performance.now();
      const bytes = await channel.unary(PADDLE_GRPC_PATHS.inference, writePaddleRequest(feed, fetch, requestId, options.signature), { deadlineMs });
      try {
        const result = readPaddleResponse(decodePaddleResponse(bytes));
        return { outputs: result.outputs, serverMicros: result.serverMicros, clientMicros: (performance.now() - started) * 1000 };
      } catch (decodeError) {
        throw new ServingError(Code.INTERNAL, `cannot decode the server's Response: ${String(decodeError)}`, { cause: decodeError });
      }
    },
    close: () => channel.close(),
  };
}
