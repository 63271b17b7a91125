/**
 * gRPC adapter for Paddle's GeneralModelService (`inference` and `debug`, which Paddle serves
 * alike): bytes-in, bytes-out unary handlers, served on the fast HTTP/2 route
 * (net/grpc-fast-routes.ts) and registered with grpc-js as the fallback.
 *
 * Contract: thin. A body that is not a Paddle Request fails with INVALID_ARGUMENT; every other
 * failure reaches the client as its ServingError's code and message (INTERNAL causes logged, not
 * sent), with the call's deadline and cancellation handed to the core as its CallLifetime. Every call
 * is observed (metrics, protocol `paddle_grpc`) by `serveGeneralModelCall`.
 */
import { encodePaddleResponse } from '../service/paddle-response-encoder';
import { decodePaddleRequest } from '../service/paddle-request-decoder';
import type * as grpc from '@grpc/grpc-js';
import { Code, ServingError, invalidArgument } from '../../core/errors';
import type { Predictor } from '../../core/predictor';
import { bytesUnaryMethod, grpcJsUnary } from '../../net/grpc-js-unary';
import type { CallObserver } from '../../core/call-observer';
import type { Logger } from '../../logging/logger';
import type { UnaryHandler } from '../../net/grpc-unary-stream';
import { GrpcCallView } from '../../net/grpc-call-view';
import { serveGeneralModelCall } from '../service/general-model-inference';
import { PADDLE_GRPC_PATHS, PADDLE_PACKAGE, type PaddleMethod, type PaddleRequest } from '../service/paddle-messages';

export const generalModelServiceDefinition: grpc.ServiceDefinition = {
  inference: bytesUnaryMethod(PADDLE_GRPC_PATHS.inference),
  debug: bytesUnaryMethod(PADDLE_GRPC_PATHS.debug),
};

export interface GeneralModelServiceOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  /** Metrics observer (ServingOps.observe). */
  readonly observe?: CallObserver;
}

/** One handler per method path (`inference`, `debug`). */
export function createGeneralModelHandlers(options: GeneralModelServiceOptions): ReadonlyMap<string, UnaryHandler> {
  const { predictor, logger, observe } = options;
  const handle = (name: PaddleMethod): UnaryHandler => async (bytes, call) => {
    let logId: number | undefined;
    try {
      const response = await serveGeneralModelCall(predictor, new GrpcCallView(call, 'paddle_grpc', name, observe), () => {
        let request: PaddleRequest;
        try {
          request = decodePaddleRequest(bytes);
        } catch (error) {
          throw invalidArgument(`request body is not a ${PADDLE_PACKAGE}.Request (${error instanceof Error ? error.message : String(error)})`);
        }
        logId = Number(request.log_id ?? 0);
        return request;
      });
      return encodePaddleResponse(response);
    } catch (error) {
      const serving = ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error('GeneralModelService.inference failed', { logId, cause: serving.cause ?? error });
      throw serving;
    }
  };
  return new Map([[PADDLE_GRPC_PATHS.inference, handle('inference')], [PADDLE_GRPC_PATHS.debug, handle('debug')]]);
}

/** grpc-js implementation over the same handlers (used when the fast route is not installed). */
export function createGeneralModelServiceHandlers(handlers: ReadonlyMap<string, UnaryHandler>): grpc.UntypedServiceImplementation {
  return {
    inference: grpcJsUnary(handlers.get(PADDLE_GRPC_PATHS.inference)!),
    debug: grpcJsUnary(handlers.get(PADDLE_GRPC_PATHS.debug)!),
  } as grpc.UntypedServiceImplementation;
}
