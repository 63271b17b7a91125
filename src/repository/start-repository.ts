/**
 * Starts the model repository of a server: builds the context every version is built with
 * (session options from the resolved providers, the batcher and metrics of serving-ops) and
 * loads the models into the Predictor. Used by start-server.ts so that file only wires it in.
 *
 * Contract: resolves once every model to load at start-up serves (warm), with the running
 * ModelRepository (the server's ModelControl); rejects naming every model that cannot be served,
 * and refuses `--batching_overrides` for a model the repository does not hold.
 */
import type { Predictor } from '../core/predictor';
import type { ServeConfig } from '../config/serve-config';
import type { SessionConfig } from '../engine/session-config';
import type { ProviderReport } from '../engine/providers/resolve-providers';
import type { Logger } from '../logging/logger';
import type { ServingOps } from '../ops/serving-ops';
import { ModelRepository } from './model-repository';
import { listModels } from './repository-layout';
import { createRepositoryMetrics } from './repository-metrics';

export async function startModelRepository(
  config: ServeConfig, logger: Logger, ops: ServingOps, predictor: Predictor, session: SessionConfig, providerReport: ProviderReport | undefined,
): Promise<ModelRepository> {
  const { modelRepository, modelControlMode, repositoryPollSecs, loadModels } = config.repository;
  logger.info(modelRepository === undefined
    ? `serving model "${config.modelName}" from ${config.modelDir} (model control: ${modelControlMode})`
    : `serving the model repository ${modelRepository} (model control: ${modelControlMode})`);
  if (modelRepository !== undefined) {
    const found = listModels(modelRepository);
    const unknown = Object.keys(config.batching.overrides).filter((model) => !found.includes(model));
    if (unknown.length > 0) {
      throw new Error(`--batching_overrides names ${unknown.map((m) => `"${m}"`).join(', ')}, which the repository ${modelRepository} does not hold; its models: ${found.map((m) => `"${m}"`).join(', ') || 'none'}`);
    }
  }
  return ModelRepository.start({
    context: { config, logger, ops, session, providerReport },
    predictor,
    metrics: createRepositoryMetrics(ops.metrics.registry),
    repository: modelRepository,
    mode: modelControlMode,
    loadAtStart: loadModels,
    pollSecs: repositoryPollSecs,
  });
}
