/**
 * The provider selection policy: from what was requested (providers in priority order, CUDA
 * device ids, strict or fallback) and what the probes found, decide the execution-provider chain
 * of every worker and say why any requested provider was skipped.
 *
 * Contract (pure; no ONNX Runtime, no I/O):
 * - The probe targets of a request are `probeTargetsFor(request)`: each device-bound provider once
 *   per device id, each device-less provider once.
 * - strict: every requested (provider, device) must have passed its probe, otherwise
 *   `ProviderSelectionError` lists every failure with its reason; nothing runs elsewhere quietly.
 * - fallback: each device keeps the requested providers that passed, in the requested order;
 *   devices left with none are dropped (identical chains merge); when no chain is left, every worker runs on the CPU
 *   provider and `fellBackToCpu` is true.
 * - Workers are spread over the devices that remain round-robin: worker slot i runs on device
 *   i mod n (`workerChains[i]`). ONNX Runtime's CPU provider stays the last resort inside every
 *   session for nodes a GPU provider does not take; it is not listed unless requested.
 */
import type { ExecutionProviderConfig } from '../session-config';
import { PROVIDER_TRAITS, type ProviderName } from './provider-catalog';
import { describeTarget, type ProbeTarget, type ProviderProbeResult } from './probe-provider';

export const PROVIDER_POLICIES = ['strict', 'fallback'] as const;
export type ProviderPolicy = (typeof PROVIDER_POLICIES)[number];

export interface ProviderRequest {
  /** Providers in priority order, e.g. ['tensorrt','cuda'] for Paddle's --use_trt. Never empty. */
  readonly providers: readonly ProviderName[];
  /** CUDA device ids for cuda/tensorrt (Paddle's --gpu_ids); ignored by device-less providers. */
  readonly deviceIds: readonly number[];
  readonly policy: ProviderPolicy;
}

export interface SkippedProvider extends ProbeTarget {
  readonly reason: string;
}

export interface ProviderSelection {
  /** Execution-provider chain of worker slot i (length = workers). */
  readonly workerChains: ReadonlyArray<readonly ExecutionProviderConfig[]>;
  /** The distinct chains in use, e.g. ['cuda:0', 'cuda:1'] or ['cpu']. */
  readonly chains: readonly string[];
  readonly skipped: readonly SkippedProvider[];
  readonly fellBackToCpu: boolean;
  /** One line for the log and health details. */
  readonly summary: string;
}

export class ProviderSelectionError extends Error {
  constructor(readonly failures: readonly SkippedProvider[]) {
    super(
      `strict provider policy: ${failures.length === 1 ? 'a requested provider is' : 'requested providers are'} unavailable: ` +
        failures.map((f) => `${describeTarget(f)}: ${f.reason}`).join(' | ') +
        ' (use --provider_policy fallback to serve on what works)',
    );
    this.name = 'ProviderSelectionError';
  }
}

function usesDevice(provider: ProviderName): boolean {
  return PROVIDER_TRAITS[provider].usesDeviceId;
}

/** Device ids that device-bound providers run on: the request's, or device 0 when none given. */
function devicesOf(request: ProviderRequest): readonly number[] {
  return request.deviceIds.length > 0 ? request.deviceIds : [0];
}

export function probeTargetsFor(request: ProviderRequest): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const provider of request.providers) {
    if (usesDevice(provider)) for (const deviceId of devicesOf(request)) targets.push({ provider, deviceId });
    else targets.push({ provider });
  }
  return targets;
}

export function chainLabel(chain: readonly ExecutionProviderConfig[]): string {
  return chain.map((p) => ('deviceId' in p ? `${p.name}:${p.deviceId}` : p.name)).join('>');
}

function toConfig(provider: ProviderName, deviceId: number): ExecutionProviderConfig {
  if (provider === 'cuda' || provider === 'tensorrt') return { name: provider, deviceId };
  return { name: provider };
}

export function selectProviders(request: ProviderRequest, probes: readonly ProviderProbeResult[], workers: number): ProviderSelection {
  if (request.providers.length === 0) throw new RangeError('provider request lists no providers');
  if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer; got ${workers}`);
  const find = (t: ProbeTarget) => probes.find((p) => p.provider === t.provider && p.deviceId === t.deviceId);
  const skipped: SkippedProvider[] = [];
  for (const target of probeTargetsFor(request)) {
    const probe = find(target);
    if (probe === undefined) skipped.push({ ...target, reason: 'was not probed' });
    else if (!probe.available) skipped.push({ ...target, reason: probe.reason });
  }
  if (request.policy === 'strict' && skipped.length > 0) throw new ProviderSelectionError(skipped);
  const isSkipped = (provider: ProviderName, deviceId: number | undefined) =>
    skipped.some((s) => s.provider === provider && s.deviceId === deviceId);
  const anyDeviceBound = request.providers.some(usesDevice);
  const deviceChains: ExecutionProviderConfig[][] = [];
  for (const deviceId of anyDeviceBound ? devicesOf(request) : [0]) {
    const chain = request.providers
      .filter((p) => !isSkipped(p, usesDevice(p) ? deviceId : undefined))
      .map((p) => toConfig(p, deviceId));
    // Identical chains (e.g. only device-less providers passed) are one chain, not one per device.
    if (chain.length > 0 && !deviceChains.some((c) => chainLabel(c) === chainLabel(chain))) deviceChains.push(chain);
  }
  const fellBackToCpu = deviceChains.length === 0;
  const chains = fellBackToCpu ? [[{ name: 'cpu' } as ExecutionProviderConfig]] : deviceChains;
  const workerChains = Array.from({ length: workers }, (_, i) => chains[i % chains.length]);
  const labels = chains.map(chainLabel);
  const parts = [`runs on ${labels.join(', ')}${fellBackToCpu && request.providers.some((p) => p !== 'cpu') ? ' (fallback: no requested provider is available)' : ''}`];
  if (chains.length > workers) parts.push(`only ${workers} worker(s) for ${chains.length} devices: ${labels.slice(workers).join(', ')} unused`);
  for (const s of skipped) parts.push(`skipped ${describeTarget(s)}: ${s.reason}`);
  return { workerChains, chains: labels, skipped, fellBackToCpu, summary: parts.join('; ') };
}
