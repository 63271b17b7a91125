/**
 * Tells the protocol of a TCP connection from its first bytes, as Paddle's brpc server does on
 * its one port: the HTTP/2 preface (`PRI * HTTP/2.0`, gRPC over h2c), an HTTP/1.1 method name,
 * or brpc's `PRPC` magic.
 *
 * Contract: `sniffProtocol(bytes)` returns the protocol, `'unknown'` once the bytes cannot start
 * any of them, or `'need-more'` while they still could (every protocol is told apart by its first
 * 4 bytes). Pure: no sockets.
 */

export type SniffedProtocol = 'h2c' | 'http1' | 'prpc';

/** Enough to decide: "PRI " / "PRPC" / "POST"... */
export const SNIFF_BYTES = 4;

const SIGNATURES: ReadonlyArray<readonly [string, SniffedProtocol]> = [
  ['PRI ', 'h2c'],
  ['PRPC', 'prpc'],
  ...['GET ', 'POST', 'PUT ', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH'].map((m) => [m.slice(0, 4), 'http1'] as const),
];

export function sniffProtocol(bytes: Uint8Array): SniffedProtocol | 'unknown' | 'need-more' {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SNIFF_BYTES)).toString('latin1');
  let possible = false;
  for (const [signature, protocol] of SIGNATURES) {
    if (head.length >= SNIFF_BYTES && head === signature) return protocol;
    if (signature.startsWith(head)) possible = true;
  }
  return possible && head.length < SNIFF_BYTES ? 'need-more' : 'unknown';
}
