/**
 * TLS termination for the serving port: connections whose first bytes are a TLS ClientHello are
 * handed here (`accept`, after the sniffed bytes were put back), decrypted with `node:tls`, and
 * each decrypted stream is given to the `onSecure` handler, which sniffs and dispatches it like a
 * plaintext one.
 *
 * Contract:
 * - ALPN offers `h2` and `http/1.1`; a client that offers neither (or no ALPN) still connects,
 *   the decrypted bytes decide the protocol.
 * - With a client CA (mTLS) every client must present a certificate that CA signed: the
 *   handshake fails otherwise, before any byte of a request is read.
 * - `TlsMaterial` is checked by `checkTlsMaterial` (readable PEM, key belongs to the
 *   certificate, certificate valid now, CA bundle readable) with a message naming the files;
 *   `update(material)` installs new material for connections accepted from then on (connections
 *   already open keep theirs) and throws, changing nothing, when the material is not valid.
 * - A handshake that fails or is not complete within `handshakeTimeoutMs` closes that
 *   connection; the reason is logged through the throttled log.
 */
import * as crypto from 'node:crypto';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { ThrottledLog } from '../throttled-log';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** mTLS client CA bundle. */
  readonly ca?: Buffer;
  /** File names, for messages. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
}

export interface TlsTerminationOptions {
  readonly handshakeTimeoutMs: number;
  readonly log: ThrottledLog;
}

const ALPN_PROTOCOLS: readonly string[] = ['h2', 'http/1.1'];

/** What the certificate says, for the start-up and reload log lines. */
export interface CertificateSummary {
  readonly subject: string;
  readonly subjectAltName: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

export class TlsTermination {
  private readonly server: tls.Server;
  readonly mutualTls: boolean;
  private summary: CertificateSummary;

  constructor(material: TlsMaterial, options: TlsTerminationOptions) {
    this.summary = checkTlsMaterial(material);
    this.mutualTls = material.ca !== undefined;
    this.server = tls.createServer({
      ...contextOptions(material),
      ALPNProtocols: [...ALPN_PROTOCOLS],
      requestCert: this.mutualTls,
      rejectUnauthorized: this.mutualTls,
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    this.server.on('tlsClientError', (error: Error & { code?: string }, socket: tls.TLSSocket) => {
      options.log.warn('tls-handshake', 'TLS handshake failed: connection closed', {
        reason: error.message, code: error.code, peer: socket.remoteAddress,
        ...(this.mutualTls ? { hint: 'mTLS is on (--tls_client_ca_file): the client needs a certificate signed by that CA' } : {}),
      });
    });
  }

  get certificate(): CertificateSummary {
    return this.summary;
  }

  /** Where decrypted connections go (the one-port server's dispatch); set once. */
  onSecure(handler: (socket: tls.TLSSocket) => void): void {
    if (this.server.listenerCount('secureConnection') > 0) throw new Error('TlsTermination.onSecure is set once');
    this.server.on('secureConnection', handler);
  }

  /** Starts the handshake on a connection positioned at its ClientHello. */
  accept(socket: net.Socket): void {
    this.server.emit('connection', socket);
  }

  update(material: TlsMaterial): CertificateSummary {
    if ((material.ca !== undefined) !== this.mutualTls) throw new Error('mTLS cannot be turned on or off by a reload');
    const summary = checkTlsMaterial(material);
    this.server.setSecureContext(contextOptions(material));
    this.summary = summary;
    return summary;
  }
}

function contextOptions(material: TlsMaterial): tls.SecureContextOptions {
  return { cert: material.cert, key: material.key, ...(material.ca === undefined ? {} : { ca: material.ca }) };
}

/** Throws an Error naming the file and the problem; returns the certificate's summary. */
function checkTlsMaterial(material: TlsMaterial, nowMs = Date.now()): CertificateSummary {
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(material.cert);
  } catch (error) {
    throw new Error(`${material.certFile} is not a PEM certificate: ${messageOf(error)}`, { cause: error });
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(material.key);
  } catch (error) {
    throw new Error(`${material.keyFile} is not a PEM private key (an encrypted key is not supported): ${messageOf(error)}`, { cause: error });
  }
  if (!certificate.checkPrivateKey(key)) throw new Error(`${material.keyFile} is not the private key of the certificate in ${material.certFile}`);
  if (Date.parse(certificate.validTo) <= nowMs) throw new Error(`the certificate in ${material.certFile} expired on ${certificate.validTo}`);
  if (Date.parse(certificate.validFrom) > nowMs) throw new Error(`the certificate in ${material.certFile} is not valid before ${certificate.validFrom}`);
  if (material.ca !== undefined) {
    try {
      new crypto.X509Certificate(material.ca);
    } catch (error) {
      throw new Error(`${material.caFile ?? 'the client CA file'} is not a PEM CA certificate bundle: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    tls.createSecureContext(contextOptions(material));
  } catch (error) {
    throw new Error(`cannot use ${material.certFile} / ${material.keyFile}${material.caFile === undefined ? '' : ` / ${material.caFile}`}: ${messageOf(error)}`, { cause: error });
  }
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    subjectAltName: certificate.subjectAltName ?? '',
    validTo: certificate.validTo,
    fingerprint256: certificate.fingerprint256,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
