/**
 * Tells "nothing answers at that address" apart from a server that answered with an error, so a
 * client pointed at a server that is not running says so once instead of once per request.
 *
 * Contract: `unreachableReason(error)` returns a short reason ("connection refused", "the host
 * name does not resolve", ...) when the call failed with UNAVAILABLE because no connection could
 * be made; undefined otherwise (the server answered, refused the TLS handshake, or the
 * connection broke mid-call).
 * `notAnsweringMessage(address, mode, reason)` is the one line a CLI prints then.
 */
import { Code, type ServingError } from '../core/errors';

const REASONS: ReadonlyArray<[RegExp, string]> = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN|Name resolution failed|DNS resolution failed/i, 'the host name does not resolve'],
  [/EHOSTUNREACH|ENETUNREACH/, 'no route to that host'],
  [/ETIMEDOUT|connect timeout|Failed to connect before the deadline/i, 'the connection attempt timed out'],
  [/No connection established/, 'no connection could be established'],
];

const TLS_FAILURE = /\bTLS\b|\bSSL\b|certificate|secure TLS connection|handshake/i;

export function unreachableReason(error: ServingError): string | undefined {
  if (error.code !== Code.UNAVAILABLE) return undefined;
  const text = `${error.rawMessage ?? ''} ${error.message}`;
  // A TLS handshake the server refused (no or wrong client certificate, untrusted server
  // certificate): something answers, and each failure says why.
  if (TLS_FAILURE.test(text)) return undefined;
  for (const [pattern, reason] of REASONS) if (pattern.test(text)) return reason;
  return undefined;
}

export function notAnsweringMessage(address: string, mode: string, reason: string): string {
  return `nothing answers at ${address} (${reason}, --client_mode ${mode}): is rec-serve running there and listening on that port? `
    + 'Start it with `npm start` (or rec-serve --port <n>), or point --connect at the address it logged ("serving ... on host:port").';
}
