/**
 * gRPC adapter for Paddle's GeneralModelService (`inference` and `debug`, which Paddle serves
 * alike): decode, run the transport-free inference, encode, map errors.
 *
 * Contract: thin. A body that is not a Paddle Request fails with INVALID_ARGUMENT (not grpc-js's
 * INTERNAL); every other failure reaches the client as `ServingError.toGrpcStatus()`, with the
 * call's deadline and cancellation turned into the core's AbortSignal. Every call is observed
 * (metrics, protocol `paddle_grpc`) by `serveGeneralModelCall`.
 */
import type * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { Code, ServingError, invalidArgument } from '../../core/errors';
import type { Predictor } from '../../core/predictor';
import { signalForCall } from '../../grpc/call-signal';
import type { CallObserver } from '../../grpc/predict-service';
import type { Logger } from '../../logging/logger';
import { serveGeneralModelCall } from '../service/general-model-inference';
import {
  PADDLE_GRPC_PATHS, PADDLE_PACKAGE, type PaddleRequest, type PaddleResponse, asBuffer, decodePaddleRequest, encodePaddleResponse,
} from '../service/paddle-messages';

interface UndecodableRequest { readonly undecodable: string }

function decodeOrMark(bytes: Buffer): PaddleRequest | UndecodableRequest {
  try {
    return decodePaddleRequest(bytes);
  } catch (error) {
    return { undecodable: error instanceof Error ? error.message : String(error) };
  }
}

const method = (path: string): grpc.MethodDefinition<PaddleRequest | UndecodableRequest, PaddleResponse> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (value) => asBuffer(encodePaddleRequestPassThrough(value)),
  requestDeserialize: decodeOrMark,
  responseSerialize: (value) => asBuffer(encodePaddleResponse(value)),
  responseDeserialize: (bytes) => bytes as unknown as PaddleResponse,
});

/** Only the server side is used; requests are never serialized here. */
function encodePaddleRequestPassThrough(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}

export const generalModelServiceDefinition: grpc.ServiceDefinition = {
  inference: method(PADDLE_GRPC_PATHS.inference),
  debug: method(PADDLE_GRPC_PATHS.debug),
};

export interface GeneralModelServiceOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  /** Metrics observer (ServingOps.observe). */
  readonly observe?: CallObserver;
}

export function createGeneralModelServiceHandlers(options: GeneralModelServiceOptions): grpc.UntypedServiceImplementation {
  const { predictor, logger, observe } = options;
  const handle = (method: string) => async (
    call: grpc.ServerUnaryCall<PaddleRequest | UndecodableRequest, PaddleResponse>,
    callback: grpc.sendUnaryData<PaddleResponse>,
  ) => {
    const decoded = call.request;
    const callSignal = signalForCall(call, performance.timeOrigin + performance.now());
    try {
      callback(null, await serveGeneralModelCall(predictor, { protocol: 'paddle_grpc', method, signal: callSignal.signal, observe }, () => {
        if ('undecodable' in decoded) throw invalidArgument(`request body is not a ${PADDLE_PACKAGE}.Request (${decoded.undecodable})`);
        return decoded;
      }));
    } catch (error) {
      const serving = ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error('GeneralModelService.inference failed', { logId: 'log_id' in decoded ? decoded.log_id : undefined, cause: serving.cause ?? error });
      callback(serving.toGrpcStatus() as grpc.ServiceError, null);
    } finally {
      callSignal.dispose();
    }
  };
  return { inference: handle('inference'), debug: handle('debug') } as grpc.UntypedServiceImplementation;
}
