/**
 * Startup step between the configuration and the worker pool: probe every requested provider in
 * child processes, apply the strict/fallback policy, log which provider the model runs on and
 * why others were skipped, and return the per-worker chains plus a JSON report for model
 * metadata, health details and metrics labels.
 *
 * Contract: resolves with a `ProviderResolution`; rejects with `ProviderSelectionError` (strict
 * policy, a requested provider unavailable; its message carries each probe's reason). A CPU-only
 * request starts no child process.
 */
import type { Logger } from '../../logging/logger';
import type { ExecutionProviderConfig } from '../session-config';
import { describeTarget, probeProviders, type ProbeOptions, type ProviderProbeResult } from './probe-provider';
import { probeTargetsFor, selectProviders, type ProviderRequest, type ProviderSelection } from './select-providers';

/** JSON-serialisable account of the provider decision (exposed in metadata and health). */
export interface ProviderReport {
  readonly policy: ProviderRequest['policy'];
  readonly requested: readonly string[];
  readonly deviceIds: readonly number[];
  /** Distinct chains the workers run, e.g. ["cuda:0", "cuda:1"]; "a>b" = a first, then b. */
  readonly runsOn: readonly string[];
  readonly fellBackToCpu: boolean;
  readonly summary: string;
  readonly skipped: ProviderSelection['skipped'];
  readonly probes: ReadonlyArray<Omit<ProviderProbeResult, 'stderrTail'>>;
}

export interface ProviderResolution {
  readonly workerChains: ReadonlyArray<readonly ExecutionProviderConfig[]>;
  readonly report: ProviderReport;
}

export async function resolveProviders(
  request: ProviderRequest,
  workers: number,
  logger: Logger,
  probeOptions: ProbeOptions = {},
  /** Names the model in the log line, e.g. `model "ctr"`. */
  subject = 'model',
): Promise<ProviderResolution> {
  const targets = probeTargetsFor(request);
  const probing = targets.filter((t) => t.provider !== 'cpu');
  if (probing.length > 0) logger.info(`probing execution providers in child processes: ${probing.map(describeTarget).join(', ')}`);
  const probes = await probeProviders(targets, probeOptions);
  for (const probe of probes) {
    if (probe.outcome === 'built-in') continue;
    const fields = { outcome: probe.outcome, elapsedMs: Math.round(probe.elapsedMs), loaderErrors: probe.loaderErrors };
    if (probe.available) logger.info(`provider ${describeTarget(probe)} is available: ${probe.reason}`, fields);
    else logger.warn(`provider ${describeTarget(probe)} is unavailable: ${probe.reason}`, { ...fields, stderrTail: probe.stderrTail });
  }
  const selection = selectProviders(request, probes, workers); // throws in strict mode
  const log = selection.fellBackToCpu && request.providers.some((p) => p !== 'cpu') ? logger.warn : logger.info;
  log(`${subject} ${selection.summary}`);
  return {
    workerChains: selection.workerChains,
    report: {
      policy: request.policy,
      requested: [...request.providers],
      deviceIds: [...request.deviceIds],
      runsOn: selection.chains,
      fellBackToCpu: selection.fellBackToCpu,
      summary: selection.summary,
      skipped: selection.skipped,
      probes: probes.map(({ stderrTail: _tail, ...rest }) => rest),
    },
  };
}
