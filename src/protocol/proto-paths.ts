/**
 * Where the repository's .proto files are, from both src/ (tsx) and dist/src/ (compiled) layouts.
 *
 * @private
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../paths/repo-root';

export const PROTO_ROOT = path.join(REPO_ROOT, 'proto');

export const PREDICT_PROTO = path.join(PROTO_ROOT, 'rec_serving', 'v1', 'predict.proto');

/** Paddle Serving's GeneralModelService (served on the same port; listed by reflection). */
export const PADDLE_SERVICE_PROTO = path.join(PROTO_ROOT, 'paddle', 'general_model_service.proto');
/** The Open Inference Protocol (KServe V2) service, with the model_config.proto it imports. */
export const KSERVE_PROTO_DIR = path.join(PROTO_ROOT, 'kserve');
export const KSERVE_PROTO = path.join(KSERVE_PROTO_DIR, 'grpc_service.proto');
