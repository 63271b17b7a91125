/**
 * `--client_mode paddle-grpc`: Paddle's GeneralModelService.inference over gRPC, as Paddle's
 * HttpClient sends it in gRPC mode.
 */
import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { Code, ServingError } from '../core/errors';
import type { HostTensor } from '../core/tensor';
import { PADDLE_GRPC_PATHS, type PaddleRequest, asBuffer, decodePaddleResponse, encodePaddleRequest } from '../paddle/service/paddle-messages';
import { buildPaddleRequest, readPaddleResponse } from './paddle-wire-codec';
import type { PredictionTransport, TransportResult } from './prediction-transport';
import type { TransportOptions } from './transport-options';

export function createPaddleGrpcTransport(address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 512 * 1024 * 1024,
    'grpc.max_send_message_length': 512 * 1024 * 1024,
  });
  return {
    mode: 'paddle-grpc',
    predict(feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], requestId: number): Promise<TransportResult> {
      const started = performance.now();
      const request = buildPaddleRequest(feed, fetch, requestId, options.signature);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest<PaddleRequest, Buffer>(
          PADDLE_GRPC_PATHS.inference,
          (value) => asBuffer(encodePaddleRequest(value)),
          (bytes) => bytes,
          request,
          new grpc.Metadata(),
          deadlineMs > 0 ? { deadline: Date.now() + deadlineMs } : {},
          (error, bytes) => {
            if (error) return reject(new ServingError(error.code as number as Code, error.details || error.message, { cause: error }));
            try {
              const result = readPaddleResponse(decodePaddleResponse(bytes!));
              resolve({ outputs: result.outputs, serverMicros: result.serverMicros, clientMicros: (performance.now() - started) * 1000 });
            } catch (decodeError) {
              reject(new ServingError(Code.INTERNAL, `cannot decode the server's Response: ${String(decodeError)}`, { cause: decodeError }));
            }
          },
        );
      });
    },
    close: () => client.close(),
  };
}
