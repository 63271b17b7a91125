/**
 * Triton's version policies: which of the versions present in a model's directory are served.
 *
 * Contract: `selectVersions(policy, available)` returns the chosen version names, newest first:
 * `latest` the `count` highest, `all` every one, `specific` those listed that exist (versions are
 * numeric folder names and compare as numbers). `missingSpecific` names listed versions that are
 * not on disk, so the caller can say so.
 */
import { compareVersions } from '../core/predictor';

export type VersionPolicy =
  | { readonly kind: 'latest'; readonly count: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'specific'; readonly versions: readonly string[] };

export function selectVersions(policy: VersionPolicy, available: readonly string[]): string[] {
  const newestFirst = [...available].sort((a, b) => compareVersions(b, a));
  if (policy.kind === 'all') return newestFirst;
  if (policy.kind === 'latest') return newestFirst.slice(0, policy.count);
  const wanted = new Set(policy.versions.map(canonical));
  return newestFirst.filter((version) => wanted.has(canonical(version)));
}

export function missingSpecific(policy: VersionPolicy, available: readonly string[]): string[] {
  if (policy.kind !== 'specific') return [];
  const present = new Set(available.map(canonical));
  return policy.versions.filter((version) => !present.has(canonical(version)));
}

export function describePolicy(policy: VersionPolicy): string {
  if (policy.kind === 'all') return 'all versions';
  if (policy.kind === 'latest') return `latest ${policy.count}`;
  return `versions [${policy.versions.join(', ')}]`;
}

function canonical(version: string): string {
  return /^\d+$/.test(version) ? BigInt(version).toString() : version;
}
