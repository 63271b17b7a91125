/**
 * rec-serving's public library API (`require('rec-serving')` / `import ... from 'rec-serving'`):
 * a typed client for a running rec-serving (or Paddle Serving compatible) server.
 *
 *   import { connect } from 'rec-serving';
 *   const client = connect({ endpoints: '127.0.0.1:9393', deadlineMs: 100 });
 *   const { outputs } = await client.predict({ dense_input: { data: new Float32Array(13), dims: [1, 13] }, ... });
 *   client.close();
 *
 * Contract: everything exported here is the supported surface (semver); anything reached by a
 * deep import of dist/ is internal and may change. See client/model-client.ts for the behaviour.
 */
export { connect } from './client/model-client';
export type { ConnectOptions, ModelClient, ModelMetadata, Prediction, Protocol, Tensor, TensorInfo } from './client/model-client';
export { Code, ServingError } from './core/errors';
export type { DType, TensorData } from './core/tensor';
export type { ClientSecurity, ClientTlsOptions } from './client/client-security';
/** Opt-in, process-wide: Node 20's per-request AsyncResource.bind garbage removed (client/lean-async-resource-bind.ts). */
export { installLeanAsyncResourceBind } from './client/lean-async-resource-bind';
/** Open Inference Protocol (KServe V2 / Triton) clients, usable against any OIP server. */
export { KServeGrpcClient } from './client/kserve/kserve-grpc-client';
export { KServeHttpClient } from './client/kserve/kserve-http-client';
export type { KServeHttpClientOptions } from './client/kserve/kserve-http-client';
export type { KServeClientOptions, KServeInferOptions, KServeInferResult, KServeModelMetadata, KServeParameter, KServeRepositoryEntry, KServeServerMetadata, KServeTensorMetadata } from './client/kserve/kserve-types';
