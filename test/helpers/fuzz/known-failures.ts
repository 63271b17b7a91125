/**
 * Server bugs the fuzz suite found that are not fixed yet (none today: the HTTP Content-Length
 * and gzip/deflate bomb findings are fixed and their cases count as ordinary ones again).
 * Each entry names the case kinds it covers and what is expected versus what happens; the
 * bounded test reports them as `todo`, the long run lists them apart from new failures.
 * Remove an entry when the fix lands: its cases then count as ordinary failures again.
 */
import type { FuzzCase } from './cases';

export interface KnownFailure {
  readonly id: string;
  readonly kinds: RegExp;
  readonly expected: string;
  readonly actual: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [
];

export function knownFailure(fuzzCase: Pick<FuzzCase, 'kind'>): KnownFailure | undefined {
  return KNOWN_FAILURES.find((k) => k.kinds.test(fuzzCase.kind));
}
