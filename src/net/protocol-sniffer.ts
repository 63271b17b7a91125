/**
 * Tells the protocol of a TCP connection from its first bytes, as Paddle's brpc server does on
 * its one port: the HTTP/2 preface (`PRI * HTTP/2.0`, gRPC over h2c), an HTTP/1.1 method name,
 * brpc's `PRPC` magic, or a TLS record carrying a handshake (a ClientHello: content type 0x16,
 * protocol major version 3), whose decrypted stream is then sniffed again.
 *
 * Contract: `sniffProtocol(bytes)` returns the protocol, `'unknown'` once the bytes cannot start
 * any of them, or `'need-more'` while they still could (every protocol is told apart by its first
 * 4 bytes). Pure: no sockets.
 */

export type SniffedProtocol = 'h2c' | 'http1' | 'prpc' | 'tls';

/** Enough to decide: "PRI " / "PRPC" / "POST"... */
const SNIFF_BYTES = 4;

const SIGNATURES: ReadonlyArray<readonly [string, SniffedProtocol]> = [
  ['PRI ', 'h2c'],
  ['PRPC', 'prpc'],
  ...['GET ', 'POST', 'PUT ', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH'].map((m) => [m.slice(0, 4), 'http1'] as const),
];

/** TLS record: handshake (22), version 3.x (SSL 3.0 .. TLS 1.3 all write 3.0-3.4 here). */
const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR_VERSION = 0x03;
const TLS_MAX_MINOR_VERSION = 0x04;

export function sniffProtocol(bytes: Uint8Array): SniffedProtocol | 'unknown' | 'need-more' {
  if (bytes.byteLength > 0 && bytes[0] === TLS_HANDSHAKE) {
    if (bytes.byteLength >= 2 && bytes[1] !== TLS_MAJOR_VERSION) return 'unknown';
    if (bytes.byteLength >= 3 && bytes[2] > TLS_MAX_MINOR_VERSION) return 'unknown';
    return bytes.byteLength >= SNIFF_BYTES ? 'tls' : 'need-more';
  }
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SNIFF_BYTES)).toString('latin1');
  let possible = false;
  for (const [signature, protocol] of SIGNATURES) {
    if (head.length >= SNIFF_BYTES && head === signature) return protocol;
    if (signature.startsWith(head)) possible = true;
  }
  return possible && head.length < SNIFF_BYTES ? 'need-more' : 'unknown';
}
