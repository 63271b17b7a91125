/**
 * gRPC adapter for rec_serving.v1.PredictionService: decode, call the core, encode, map errors.
 *
 * Contract: thin. Every request goes through `Predictor.predict`; every failure reaches the client
 * as `{ code, details }` from `ServingError.toGrpcStatus()`; INTERNAL causes are logged, never sent.
 */
import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { ServingError, Code, invalidArgument } from '../core/errors';
import type { Predictor } from '../core/predictor';
import type { Logger } from '../logging/logger';
import {
  GET_MODEL_METADATA_PATH, PREDICT_PATH, GetModelMetadataRequestType, GetModelMetadataResponseType,
  decodePredictRequest, encodePredictResponse, type PredictRequestMessage, type PredictResponseMessage,
} from '../protocol/predict-messages';
import { signalForCall } from './call-signal';
import { describeModel } from './model-metadata';
import { decodeInputs, encodeOutputs } from './tensor-wire';

/**
 * Observes each finished call (metrics); `code` is the gRPC status code. `protocol` names the
 * front end for the `ctr_requests_total` label: `grpc` (this service, the default when absent),
 * `paddle_grpc`, `paddle_http`, `baidu_std`.
 */
export type CallObserver = (event: { method: string; model: string; code: Code; rows: number; durationMicros: number; queueMicros: number; computeMicros: number; protocol?: string }) => void;

export interface PredictServiceOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  readonly observe?: CallObserver;
}

const nowEpochMs = () => performance.timeOrigin + performance.now();

/** A body that is not a PredictRequest: answered with INVALID_ARGUMENT instead of grpc-js's INTERNAL. */
interface UndecodableRequest { readonly undecodable: string }

function decodeOrMark(bytes: Buffer): PredictRequestMessage | UndecodableRequest {
  try {
    return decodePredictRequest(bytes);
  } catch (error) {
    return { undecodable: error instanceof Error ? error.message : String(error) };
  }
}

export const predictionServiceDefinition: grpc.ServiceDefinition = {
  Predict: {
    path: PREDICT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => decodeOrMark(bytes),
    responseSerialize: (value: Partial<PredictResponseMessage>) => encodePredictResponse(value),
    responseDeserialize: (bytes: Buffer) => bytes,
  },
  GetModelMetadata: {
    path: GET_MODEL_METADATA_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => GetModelMetadataRequestType.decode(bytes),
    responseSerialize: (value: object) => Buffer.from(GetModelMetadataResponseType.encode(value).finish()),
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

export function createPredictionServiceHandlers(options: PredictServiceOptions): grpc.UntypedServiceImplementation {
  const { predictor, logger, observe } = options;

  const fail = (error: unknown, context: Record<string, unknown>): ServingError => {
    const serving = ServingError.from(error);
    if (serving.code === Code.INTERNAL) logger.error('predict failed', { ...context, cause: serving.cause ?? error });
    return serving;
  };

  const predict = async (call: grpc.ServerUnaryCall<PredictRequestMessage, Partial<PredictResponseMessage>>, callback: grpc.sendUnaryData<Partial<PredictResponseMessage>>) => {
    const startedAtMs = nowEpochMs();
    const decoded = call.request as PredictRequestMessage | UndecodableRequest;
    if ('undecodable' in decoded) {
      callback(invalidArgument(`request body is not a rec_serving.v1.PredictRequest (${decoded.undecodable})`).toGrpcStatus() as grpc.ServiceError, null);
      return;
    }
    const request = decoded;
    const callSignal = signalForCall(call, startedAtMs);
    try {
      const result = await predictor.predict(
        { modelName: request.modelName, modelVersion: request.modelVersion, inputs: decodeInputs(request.inputs), outputNames: request.outputNames },
        { signal: callSignal.signal },
      );
      const endedAtMs = nowEpochMs();
      callback(null, {
        modelName: result.model.name,
        modelVersion: result.model.version,
        outputs: encodeOutputs(result.outputs),
        requestId: request.requestId,
        timing: {
          startUs: Math.round(startedAtMs * 1000),
          endUs: Math.round(endedAtMs * 1000),
          queueUs: Math.round(result.queueMicros),
          computeUs: Math.round(result.computeMicros),
          executedBatchRows: result.executedBatchRows,
        },
      });
      observe?.({ method: 'Predict', model: result.model.name, code: Code.OK, rows: result.rows, durationMicros: (endedAtMs - startedAtMs) * 1000, queueMicros: result.queueMicros, computeMicros: result.computeMicros });
    } catch (error) {
      const serving = fail(error, { requestId: request.requestId, model: request.modelName });
      callback(serving.toGrpcStatus() as grpc.ServiceError, null);
      observe?.({ method: 'Predict', model: request.modelName, code: serving.code, rows: 0, durationMicros: (nowEpochMs() - startedAtMs) * 1000, queueMicros: 0, computeMicros: 0 });
    } finally {
      callSignal.dispose();
    }
  };

  const getModelMetadata = (call: grpc.ServerUnaryCall<{ modelName: string; modelVersion: string }, object>, callback: grpc.sendUnaryData<object>) => {
    try {
      callback(null, describeModel(predictor.model(call.request.modelName)));
    } catch (error) {
      callback(fail(error, { method: 'GetModelMetadata' }).toGrpcStatus() as grpc.ServiceError, null);
    }
  };

  return { Predict: predict, GetModelMetadata: getModelMetadata } as grpc.UntypedServiceImplementation;
}
