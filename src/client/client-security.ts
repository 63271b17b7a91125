/**
 * TLS and bearer-token options of the client transports (gRPC, HTTP, baidu_std), and how
 * rec-client builds them from its flags.
 *
 * Contract:
 * - `ClientSecurity.tls`: connect with TLS, verifying the server's certificate against `ca`
 *   (default: Node's bundled root CAs) and its name against `servername` (default: the host
 *   of the address); `cert`/`key` are the client certificate for mTLS.
 * - `ClientSecurity.authToken`: sent on every call as `authorization: Bearer <token>` (gRPC
 *   metadata, HTTP header); baidu_std cannot carry it, so that transport refuses it.
 * - `loadClientSecurity(flags, env)` reads the files named by `--tls_ca_file`, `--tls_cert_file`,
 *   `--tls_key_file` and `--auth_token_file` (or the token from `REC_SERVING_AUTH_TOKEN`) and
 *   throws an Error naming the flag and file when one cannot be read or is inconsistent.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import type { FlagSpecs } from '../config/parse-flags';
import { TOKEN_ENV } from '../config/security-config';

export interface ClientTlsOptions {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Name the certificate must carry (SNI too); default: the address's host. */
  readonly servername?: string;
}

export interface ClientSecurity {
  readonly tls?: ClientTlsOptions;
  readonly authToken?: string;
}

/** rec-client's flags for TLS and the token. */
export const CLIENT_SECURITY_FLAGS: FlagSpecs = {
  tls: { kind: 'boolean', help: 'connect with TLS, verifying the server against Node\'s root CAs (implied by the other --tls_* flags)', defaultText: 'false' },
  tls_ca_file: { kind: 'string', help: 'PEM CA bundle to verify the server\'s certificate with (turns TLS on)', defaultText: 'Node\'s root CAs' },
  tls_cert_file: { kind: 'string', help: 'mTLS: PEM client certificate (with --tls_key_file)', defaultText: 'none' },
  tls_key_file: { kind: 'string', help: 'mTLS: PEM private key of --tls_cert_file', defaultText: 'none' },
  tls_servername: { kind: 'string', help: 'name the server certificate must carry (and SNI)', defaultText: 'the --connect host' },
  auth_token_file: { kind: 'string', help: `file whose first line is the bearer token sent on every call (or set ${TOKEN_ENV}); baidu_std (rpc) cannot carry one`, defaultText: 'none' },
};

export interface ClientSecurityFlags {
  readonly tls?: boolean;
  readonly tls_ca_file?: string;
  readonly tls_cert_file?: string;
  readonly tls_key_file?: string;
  readonly tls_servername?: string;
  readonly auth_token_file?: string;
}

export function loadClientSecurity(flags: ClientSecurityFlags, env: Readonly<Record<string, string | undefined>>): ClientSecurity {
  const read = (flag: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`--${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if ((flags.tls_cert_file === undefined) !== (flags.tls_key_file === undefined)) {
    throw new Error(`--tls_cert_file and --tls_key_file go together (the client certificate and its key); got only ${flags.tls_cert_file === undefined ? '--tls_key_file' : '--tls_cert_file'}`);
  }
  if (flags.tls === false && (flags.tls_ca_file ?? flags.tls_cert_file ?? flags.tls_servername) !== undefined) {
    throw new Error('--tls false conflicts with --tls_ca_file / --tls_cert_file / --tls_servername, which need TLS');
  }
  const useTls = flags.tls === true || flags.tls_ca_file !== undefined || flags.tls_cert_file !== undefined || flags.tls_servername !== undefined;
  const ca = read('tls_ca_file', flags.tls_ca_file);
  const cert = read('tls_cert_file', flags.tls_cert_file);
  const key = read('tls_key_file', flags.tls_key_file);
  let authToken: string | undefined;
  const fileToken = read('auth_token_file', flags.auth_token_file);
  if (fileToken !== undefined) {
    const lines = fileToken.toString('utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    if (lines.length === 0) throw new Error(`--auth_token_file ${flags.auth_token_file} holds no token`);
    authToken = lines[0];
  } else if ((env[TOKEN_ENV] ?? '').trim() !== '') {
    authToken = env[TOKEN_ENV]!.trim();
  }
  if (authToken !== undefined && !/^[\x21-\x7e]+$/.test(authToken)) {
    throw new Error(`the bearer token (${fileToken !== undefined ? `--auth_token_file ${flags.auth_token_file}` : TOKEN_ENV}) has characters that cannot travel in an authorization header`);
  }
  return {
    ...(useTls ? { tls: { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }), ...(flags.tls_servername === undefined ? {} : { servername: flags.tls_servername }) } } : {}),
    ...(authToken === undefined ? {} : { authToken }),
  };
}

/** Options for `tls.connect` to `host:port` (SNI only for names: an IP address cannot be a server name). */
export function tlsConnectOptions(options: ClientTlsOptions, host: string, port: number, alpn?: string[]): tls.ConnectionOptions {
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  return {
    host,
    port,
    ...(servername === undefined ? {} : { servername }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(alpn === undefined ? {} : { ALPNProtocols: alpn }),
  };
}

export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}
