/**
 * Server bugs the fuzz suite found that are not fixed yet (src/ is owned by another change).
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
  {
    id: 'http-content-length-over-limit',
    kinds: /^http\/content-length-(1e11|limit\+1)$/,
    expected: 'a Content-Length above --max_body_size is refused at once with 413 (gRPC refuses an oversized message before buffering it)',
    actual: 'no answer until --http_request_timeout_ms passes, then 408 Request Timeout (60 s with the default flags)',
  },
  {
    id: 'http-bomb-400',
    kinds: /^http\/(gzip|deflate)-bomb$/,
    expected: '413 saying the body inflates past --max_body_size (baidu_std: EREQUEST "gzip payload inflates to more than the N-byte limit"; gRPC: RESOURCE_EXHAUSTED)',
    actual: '400 "request body is not valid gzip data: Cannot create a Buffer larger than 262144 bytes" (deflate: "... not valid deflate data ..."); the body is valid',
  },
];

export function knownFailure(fuzzCase: Pick<FuzzCase, 'kind'>): KnownFailure | undefined {
  return KNOWN_FAILURES.find((k) => k.kinds.test(fuzzCase.kind));
}
