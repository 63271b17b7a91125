/**
 * The execution-provider part of the serve configuration: Paddle's `--gpu_ids` and `--use_trt`,
 * our `--providers` list and `--provider_policy`, and `--precision`, validated together.
 *
 * Mapping (Paddle -> providers): no GPU flag -> cpu; `--gpu_ids 0` -> cuda on device 0;
 * `--gpu_ids 0,1` -> cuda, workers spread over devices 0 and 1; `--use_trt` -> tensorrt then cuda
 * (on the --gpu_ids devices, device 0 when none). `--providers` names the chain explicitly.
 *
 * Contract: pure; pushes one message per problem into `problems` (naming the flag, what is
 * expected and what was given) and returns a best-effort value that callers discard when any
 * problem was reported. Default policy is strict: asking for a GPU and silently getting the CPU
 * is a 10x latency surprise, so falling back must be asked for.
 */
import {
  PRECISIONS, PROVIDER_NAMES, PROVIDER_TRAITS, isPrecision, isProviderName, precisionProblems,
  type Precision, type ProviderName,
} from '../engine/providers/provider-catalog';
import { PROVIDER_POLICIES, type ProviderPolicy, type ProviderRequest } from '../engine/providers/select-providers';

export interface ProviderFlags {
  readonly providers?: readonly string[];
  readonly provider_policy?: string;
  readonly use_trt?: boolean;
  readonly gpu_ids?: readonly string[];
  readonly precision?: string;
}

export interface ProviderConfig {
  readonly providerRequest: ProviderRequest;
  readonly precision: Precision;
}

const DEFAULT_PROVIDER_POLICY: ProviderPolicy = 'strict';

export function providerConfigFromFlags(flags: ProviderFlags, problems: string[]): ProviderConfig {
  const deviceIds: number[] = [];
  for (const id of (flags.gpu_ids ?? []).filter((id) => id !== '' && id !== '-1')) {
    const deviceId = Number(id);
    if (!Number.isSafeInteger(deviceId) || deviceId < 0) problems.push(`--gpu_ids must be device numbers (0, 1, ...); got "${id}"`);
    else if (deviceIds.includes(deviceId)) problems.push(`--gpu_ids lists device ${deviceId} twice; got "${(flags.gpu_ids ?? []).join(',')}"`);
    else deviceIds.push(deviceId);
  }

  let providers: ProviderName[];
  if (flags.providers !== undefined) {
    providers = [];
    for (const name of flags.providers.map((p) => p.toLowerCase())) {
      if (!isProviderName(name)) problems.push(`--providers: unknown provider "${name}"; expected one of ${PROVIDER_NAMES.join(', ')}`);
      else if (providers.includes(name)) problems.push(`--providers lists ${name} twice; got "${flags.providers.join(',')}"`);
      else providers.push(name);
    }
    if (flags.providers.length === 0) problems.push(`--providers needs at least one of ${PROVIDER_NAMES.join(', ')}; got an empty list`);
    if (flags.use_trt === true) problems.push('--use_trt and --providers both choose the providers; give one of them (--use_trt = --providers tensorrt,cuda)');
  } else if (flags.use_trt === true) {
    providers = ['tensorrt', 'cuda'];
  } else {
    providers = deviceIds.length > 0 ? ['cuda'] : ['cpu'];
  }
  if (providers.length === 0) providers = ['cpu'];
  if (deviceIds.length > 0 && !providers.some((p) => PROVIDER_TRAITS[p].usesDeviceId)) {
    problems.push(`--gpu_ids ${deviceIds.join(',')} needs a device-bound provider (cuda or tensorrt) in --providers; got ${providers.join(',')} (webgpu picks its adapter itself)`);
  }

  const policy = (flags.provider_policy ?? DEFAULT_PROVIDER_POLICY).toLowerCase();
  if (!(PROVIDER_POLICIES as readonly string[]).includes(policy)) {
    problems.push(`--provider_policy must be one of ${PROVIDER_POLICIES.join(', ')}; got "${flags.provider_policy}"`);
  }

  const precisionText = (flags.precision ?? 'fp32').toLowerCase();
  let precision: Precision = 'fp32';
  if (!isPrecision(precisionText)) problems.push(`--precision must be one of ${PRECISIONS.join(', ')}; got "${flags.precision}"`);
  else {
    precision = precisionText;
    problems.push(...precisionProblems(precision, providers));
  }

  return {
    providerRequest: Object.freeze({
      providers: Object.freeze(providers),
      deviceIds: Object.freeze(deviceIds),
      policy: (PROVIDER_POLICIES as readonly string[]).includes(policy) ? (policy as ProviderPolicy) : DEFAULT_PROVIDER_POLICY,
    }),
    precision,
  };
}
