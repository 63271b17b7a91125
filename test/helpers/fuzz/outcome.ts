/**
 * What a fuzz case got back, and whether that is acceptable.
 *
 * `answered` carries the status as `http 400`, `grpc 3` or `baidu_std 1003`; `closed` is a
 * connection or stream the server closed or reset without an answer; `client-reset` is a case
 * that reset its own call (the server owes it nothing); `hang` is a case that saw neither an
 * answer nor a close within its timeout. `judge` says why an outcome fails, or undefined.
 */
import type { FuzzCase } from './cases';

export type Outcome =
  | { readonly type: 'answered'; readonly status: string; readonly ok: boolean }
  | { readonly type: 'closed' }
  | { readonly type: 'client-reset' }
  | { readonly type: 'hang' };

export function outcomeLabel(outcome: Outcome): string {
  return outcome.type === 'answered' ? outcome.status : outcome.type;
}

/** Statuses that say "the server failed" rather than what was wrong with the request. */
const IMPRECISE = new Set(['http 500', 'grpc 2', 'grpc 13', 'baidu_std 2001']);

export function judge(fuzzCase: FuzzCase, outcome: Outcome): string | undefined {
  if (outcome.type === 'hang') return `no answer and no close within ${fuzzCase.timeoutMs} ms`;
  if (outcome.type !== 'answered') return undefined;
  if (IMPRECISE.has(outcome.status) && !(fuzzCase.alsoPrecise ?? []).includes(outcome.status)) return `imprecise status ${outcome.status}`;
  if (fuzzCase.wants !== undefined && !fuzzCase.wants.includes(outcome.status)) return `answered ${outcome.status}; expected ${fuzzCase.wants.join(' or ')}`;
  if (outcome.ok && fuzzCase.expect === 'refuse') return `accepted (${outcome.status}) a request it must refuse`;
  return undefined;
}
