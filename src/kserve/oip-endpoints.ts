/**
 * The Open Inference Protocol (KServe V2) endpoints, assembled for start-server.ts so that file
 * only wires them in: the gRPC `inference.GRPCInferenceService` registration, its ModelInfer fast
 * route, and the `/v2` REST handler for the HTTP/1.1 front end.
 *
 * Contract: everything shares one OipModelInfo; `modelControl` (a model repository) backs the
 * repository extension when given, otherwise load / unload answer FAILED_PRECONDITION.
 */
import type * as http from 'node:http';
import type { Registry } from 'prom-client';
import type { BatchingOptions } from '../batching/batching-options';
import type { ModelControl } from '../core/model-control';
import type { Predictor } from '../core/predictor';
import type { ServedModel } from '../core/served-model';
import type { Logger } from '../logging/logger';
import type { CallObserver } from '../core/call-observer';
import type { UnaryHandler } from '../net/grpc-unary-stream';
import type { ServiceRegistration } from '../net/port-server-types';
import { createModelInferHandler, createOipServiceHandlers, oipServiceDefinition } from './grpc/oip-grpc-service';
import { createOipHttpHandler } from './http/oip-http-handler';
import { MODEL_INFER_PATH } from './oip-messages';
import { OipModelInfo } from './oip-model-info';

export interface OipEndpointOptions {
  readonly predictor: Predictor;
  readonly logger: Logger;
  readonly observe?: CallObserver;
  readonly health: { readonly isLive: boolean; readonly isReady: boolean };
  readonly registry: Registry;
  readonly batchingOf: (model: ServedModel) => BatchingOptions;
  readonly maxBodyBytes: number;
  readonly modelControl?: ModelControl;
}

export interface OipEndpoints {
  readonly grpcService: ServiceRegistration;
  readonly unaryRoutes: ReadonlyArray<[string, UnaryHandler]>;
  readonly http: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;
}

export function createOipEndpoints(options: OipEndpointOptions): OipEndpoints {
  const { predictor, logger, observe } = options;
  const info = new OipModelInfo({ predictor, health: options.health, registry: options.registry, batchingOf: options.batchingOf, ...(options.modelControl === undefined ? {} : { modelControl: options.modelControl }) });
  const grpcOptions = { predictor, info, logger, ...(observe === undefined ? {} : { observe }) };
  const modelInfer = createModelInferHandler(grpcOptions);
  logger.info(`the Open Inference Protocol (KServe V2) is served on the same port: gRPC inference.GRPCInferenceService and the /v2 REST API${options.modelControl === undefined ? ' (repository load / unload off: no model control)' : ''}`);
  return {
    grpcService: { definition: oipServiceDefinition, implementation: createOipServiceHandlers(grpcOptions, modelInfer) },
    unaryRoutes: [[MODEL_INFER_PATH, modelInfer]],
    http: createOipHttpHandler({ predictor, info, logger, maxBodyBytes: options.maxBodyBytes, ...(observe === undefined ? {} : { observe }) }),
  };
}
