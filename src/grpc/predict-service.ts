/**
 * rec_serving.v1.PredictionService: `Predict` as a bytes-in, bytes-out unary handler (served on
 * the fast HTTP/2 route, net/grpc-fast-routes.ts, and registered with grpc-js as the fallback) and
 * `GetModelMetadata` through grpc-js.
 *
 * Contract: thin. Every request goes through `Predictor.predict`; every failure reaches the client
 * as the ServingError's code and message; INTERNAL causes are logged, never sent. The response's
 * `timing.start_us`/`end_us` span the whole handling: from the first byte decoded to the last
 * byte of the response encoded (the timing field itself is encoded last and appended).
 */
import { nowEpochMs } from '../core/epoch-time';
import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { ServingError, Code, invalidArgument } from '../core/errors';
import type { Predictor } from '../core/predictor';
import type { Logger } from '../logging/logger';
import type { CallObserver } from '../core/call-observer';
import type { UnaryHandler } from '../net/grpc-unary-stream';
import {
  GET_MODEL_METADATA_PATH, PREDICT_PATH, GetModelMetadataRequestType, GetModelMetadataResponseType,
} from '../protocol/predict-messages';
import { readPredictRequest, type PredictRequestView } from '../protocol/predict-request-reader';
import { bytesUnaryMethod, grpcJsUnary } from '../net/grpc-js-unary';
import { describeModel } from './model-metadata';
import { decodeInputs } from './tensor-wire';
import { writePredictResponse } from '../protocol/predict-message-writer';

export interface PredictServiceOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  readonly observe?: CallObserver;
}

const passThrough = (bytes: Buffer) => bytes;

export const predictionServiceDefinition: grpc.ServiceDefinition = {
  Predict: bytesUnaryMethod(PREDICT_PATH),
  GetModelMetadata: {
    path: GET_MODEL_METADATA_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: (bytes: Buffer) => GetModelMetadataRequestType.decode(bytes),
    responseSerialize: (value: object) => Buffer.from(GetModelMetadataResponseType.encode(value).finish()),
    responseDeserialize: passThrough,
  },
};

/** `Predict`: one encoded PredictRequest in, one encoded PredictResponse out. */
export function createPredictHandler(options: PredictServiceOptions): UnaryHandler {
  const { predictor, logger, observe } = options;
  return async (bytes, call) => {
    const startedAtMs = nowEpochMs();
    let request: PredictRequestView;
    try {
      request = readPredictRequest(bytes);
    } catch (error) {
      observe?.({ method: 'Predict', model: '', code: Code.INVALID_ARGUMENT, rows: 0, durationMicros: (nowEpochMs() - startedAtMs) * 1000, queueMicros: 0, computeMicros: 0, peer: call.peer });
      throw invalidArgument(`request body is not a rec_serving.v1.PredictRequest (${error instanceof Error ? error.message : String(error)})`);
    }
    try {
      const result = await predictor.predict(
        // The inputs lie in their own fresh buffer (decodeInputs) that nothing reads after the run.
        { modelName: request.modelName, modelVersion: request.modelVersion, inputs: decodeInputs(request), outputNames: request.outputNames, inputsMovable: true },
        call, // its `lifetime` (deadline, cancellation) serves the batcher; no AbortSignal is created

      );
      let endedAtMs = 0;
      const response = writePredictResponse({
        modelName: result.model.name,
        modelVersion: result.model.version,
        outputs: result.outputs.map(({ spec, tensor }) => ({ name: spec.alias, tensor })),
        requestId: request.requestId,
      }, () => {
        endedAtMs = nowEpochMs();
        return {
          startUs: Math.round(startedAtMs * 1000),
          endUs: Math.round(endedAtMs * 1000),
          queueUs: Math.round(result.queueMicros),
          computeUs: Math.round(result.computeMicros),
          executedBatchRows: result.executedBatchRows,
        };
      });
      observe?.({ method: 'Predict', model: result.model.name, code: Code.OK, rows: result.rows, durationMicros: (endedAtMs - startedAtMs) * 1000, queueMicros: result.queueMicros, computeMicros: result.computeMicros, version: result.model.version, peer: call.peer });
      return response;
    } catch (error) {
      const serving = ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error('predict failed', { requestId: request.requestId, model: request.modelName, cause: serving.cause ?? error });
      observe?.({ method: 'Predict', model: request.modelName, code: serving.code, rows: 0, durationMicros: (nowEpochMs() - startedAtMs) * 1000, queueMicros: 0, computeMicros: 0, peer: call.peer });
      throw serving;
    }
  };
}

/** grpc-js implementation: `Predict` through the same handler (used when the fast route is not installed), and `GetModelMetadata`. */
export function createPredictionServiceHandlers(options: PredictServiceOptions, predict: UnaryHandler = createPredictHandler(options)): grpc.UntypedServiceImplementation {
  const { predictor, logger } = options;
  const getModelMetadata = (call: grpc.ServerUnaryCall<{ modelName: string; modelVersion: string }, object>, callback: grpc.sendUnaryData<object>) => {
    try {
      const model = predictor.model(call.request.modelName, call.request.modelVersion);
      callback(null, describeModel(model, predictor.versionsOf(model.name).map((version) => version.version)));
    } catch (error) {
      const serving = ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error('GetModelMetadata failed', { cause: serving.cause ?? error });
      callback(serving.toGrpcStatus() as grpc.ServiceError, null);
    }
  };
  return { Predict: grpcJsUnary(predict), GetModelMetadata: getModelMetadata } as grpc.UntypedServiceImplementation;
}
