/**
 * gRPC adapter for the Open Inference Protocol's `inference.GRPCInferenceService`:
 * `ModelInfer` as a bytes-in, bytes-out unary handler (served on the fast HTTP/2 route,
 * net/grpc-fast-routes.ts, and registered with grpc-js as the fallback), every other method a
 * plain grpc-js handler over oip-model-info.ts.
 *
 * Contract: thin. ModelInfer goes through `serveOipInfer` (core validation, deadlines from
 * `grpc-timeout`, cancellation, metrics with protocol `kserve_grpc`); its answer uses
 * raw_output_contents when the request used raw_input_contents, typed contents otherwise, and
 * echoes the request `id`. Every failure reaches the client as its ServingError's code and
 * message; INTERNAL causes are logged, never sent.
 */
import type * as grpc from '@grpc/grpc-js';
import { Code, ServingError } from '../../core/errors';
import type { Predictor } from '../../core/predictor';
import type { Logger } from '../../logging/logger';
import type { CallObserver } from '../../core/call-observer';
import { asResponseBuffer, grpcJsUnary } from '../../net/grpc-js-unary';
import type { UnaryHandler } from '../../net/grpc-unary-stream';
import { GrpcCallView } from '../../net/grpc-call-view';
import { serveOipInfer } from '../oip-infer';
import { OIP_METHODS, OIP_TYPES, decodeModelInferRequest, decodeOip, encodeModelInferResponse, encodeOip, oipPath, type OipMethod } from '../oip-messages';
import type { OipModelInfo } from '../oip-model-info';

export interface OipGrpcOptions {
  readonly predictor: Predictor;
  readonly info: OipModelInfo;
  readonly logger: Logger;
  readonly observe?: CallObserver;
}

const passThrough = (bytes: Buffer) => bytes;

export const oipServiceDefinition: grpc.ServiceDefinition = Object.fromEntries(OIP_METHODS.map((method) => {
  const { request, response } = OIP_TYPES[method];
  const raw = method === 'ModelInfer';
  return [method, {
    path: oipPath(method),
    requestStream: false,
    responseStream: false,
    requestSerialize: raw ? passThrough : (value: object) => encodeOip(request, value),
    requestDeserialize: raw ? passThrough : (bytes: Buffer) => decodeOip(request, bytes),
    responseSerialize: raw ? asResponseBuffer : (value: object) => encodeOip(response, value),
    responseDeserialize: passThrough,
  }];
}));

/** `ModelInfer`: one encoded ModelInferRequest in, one encoded ModelInferResponse out. */
export function createModelInferHandler(options: OipGrpcOptions): UnaryHandler {
  const { predictor, logger, observe } = options;
  return async (bytes, call) => {
    let raw = false;
    try {
      const { request, result, outputNames } = await serveOipInfer(predictor, new GrpcCallView(call, 'kserve_grpc', 'ModelInfer', observe), () => {
        const decoded = decodeModelInferRequest(bytes);
        raw = decoded.raw;
        return decoded.request;
      });
      return encodeModelInferResponse({
        modelName: result.model.name,
        modelVersion: result.model.version,
        id: request.id,
        outputs: result.outputs.map((o, i) => ({ name: outputNames[i], tensor: o.tensor })),
      }, raw);
    } catch (error) {
      const serving = ServingError.from(error);
      if (serving.code === Code.INTERNAL) logger.error('GRPCInferenceService.ModelInfer failed', { cause: serving.cause ?? error });
      throw serving;
    }
  };
}

type Fields = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const keys = (v: unknown) => (v !== null && typeof v === 'object' ? Object.keys(v) : []);

/** grpc-js implementation: ModelInfer through `modelInfer`, the other methods over `info`. */
export function createOipServiceHandlers(options: OipGrpcOptions, modelInfer: UnaryHandler = createModelInferHandler(options)): grpc.UntypedServiceImplementation {
  const { info, logger } = options;
  const handler = (method: OipMethod, answer: (request: Fields) => object | Promise<object>): grpc.handleUnaryCall<Fields, object> => (call, callback) => {
    Promise.resolve().then(() => answer(call.request)).then(
      (response) => callback(null, response),
      (error: unknown) => {
        const serving = ServingError.from(error);
        if (serving.code === Code.INTERNAL) logger.error(`GRPCInferenceService.${method} failed`, { cause: serving.cause ?? error });
        callback(serving.toGrpcStatus() as grpc.ServiceError, null);
      },
    );
  };
  return {
    ServerLive: handler('ServerLive', () => ({ live: info.live })),
    ServerReady: handler('ServerReady', () => ({ ready: info.ready })),
    ModelReady: handler('ModelReady', (r) => ({ ready: info.modelReady(str(r.name), str(r.version)) })),
    ServerMetadata: handler('ServerMetadata', () => info.serverMetadata()),
    ModelMetadata: handler('ModelMetadata', (r) => info.modelMetadata(str(r.name), str(r.version))),
    ModelInfer: grpcJsUnary(modelInfer),
    ModelConfig: handler('ModelConfig', (r) => ({ config: info.modelConfig(str(r.name), str(r.version)) })),
    ModelStatistics: handler('ModelStatistics', (r) => info.modelStatistics(str(r.name), str(r.version))),
    RepositoryIndex: handler('RepositoryIndex', (r) => ({ models: info.repositoryIndex(r.ready === true) })),
    RepositoryModelLoad: handler('RepositoryModelLoad', async (r) => { await info.load(str(r.model_name), keys(r.parameters)); return {}; }),
    RepositoryModelUnload: handler('RepositoryModelUnload', async (r) => { await info.unload(str(r.model_name), keys(r.parameters)); return {}; }),
  } as grpc.UntypedServiceImplementation;
}
