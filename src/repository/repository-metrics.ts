/**
 * Prometheus series of the model repository, on the server's registry:
 * - `ctr_model_loads_total{model,version,outcome}`: version loads by outcome (`ok` | `failed`);
 *   a failed load leaves what was serving untouched, and the index and the log say why.
 * - `ctr_model_versions_ready{model}`: versions of each model serving now (0 after an unload).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface RepositoryMetrics {
  loaded(model: string, version: string, ok: boolean): void;
  setReady(model: string, versions: number): void;
}

export function createRepositoryMetrics(registry: Registry): RepositoryMetrics {
  const loads = new Counter({ name: 'ctr_model_loads_total', help: 'Model version loads by outcome (ok, failed); a failed load leaves the serving versions untouched', labelNames: ['model', 'version', 'outcome'], registers: [registry] });
  const ready = new Gauge({ name: 'ctr_model_versions_ready', help: 'Versions of each model serving now', labelNames: ['model'], registers: [registry] });
  return {
    loaded: (model, version, ok) => loads.inc({ model, version, outcome: ok ? 'ok' : 'failed' }),
    setReady: (model, versions) => ready.set({ model }, versions),
  };
}
