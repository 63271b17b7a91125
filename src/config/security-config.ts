/**
 * Serve flags for TLS on the serving port and bearer-token authentication: which files hold the
 * certificate, key, client CA and tokens, whether plaintext stays allowed, and what happens to
 * baidu_std (which cannot carry a token).
 *
 * Contract: `securityConfigFromFlags(flags, problems, { argv, env })` never throws: it pushes one
 * message per bad or conflicting value (naming the flags and the fix) into `problems`. Files are
 * not read here (the server reads them at start-up and on every change, server/serving-security.ts).
 * A token is never taken from the command line, where `ps` shows it to every user: `--auth_token`
 * and `--admin_token` on argv are refused with that reason; the environment variables
 * `REC_SERVING_AUTH_TOKEN` / `REC_SERVING_ADMIN_TOKEN` or the `*_file` flags carry them. A token
 * from the environment is held in a `Secret`, which prints, inspects and serialises as
 * `[redacted]` (the effective config is logged and shown by GetModelMetadata).
 */
import { inspect } from 'node:util';
import type { FlagSpecs, ParsedFlags } from './parse-flags';

export type TlsMode = 'off' | 'optional' | 'required';
const TLS_MODES: readonly TlsMode[] = ['off', 'optional', 'required'];

/** A value that must never reach a log line or a response. */
class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** mTLS: clients must present a certificate signed by one of these CAs. */
  readonly clientCaFile?: string;
  /** optional: TLS and plaintext on the one port; required: plaintext connections are refused. */
  readonly mode: 'optional' | 'required';
}

export interface AuthConfig {
  /** Inference token(s): one per line in the file, or the environment variable. */
  readonly tokenFile?: string;
  readonly token?: Secret;
  /** Admin token(s) for model repository operations (load/unload/index). */
  readonly adminTokenFile?: string;
  readonly adminToken?: Secret;
  /** With an inference token: serve baidu_std (which cannot carry one) anyway. */
  readonly allowUnauthenticatedBaiduStd: boolean;
}

export interface SecurityConfig {
  /** Undefined: the serving port is plaintext only (a TLS ClientHello is refused). */
  readonly tls?: TlsConfig;
  readonly auth: AuthConfig;
  /** How often the certificate, key, CA and token files are checked for changes, ms; 0 = never. */
  readonly reloadIntervalMs: number;
}

/** The environment variable holding the inference bearer token, for the server and rec-client alike. */
export const TOKEN_ENV = 'REC_SERVING_AUTH_TOKEN';
const ADMIN_TOKEN_ENV = 'REC_SERVING_ADMIN_TOKEN';
const DEFAULT_RELOAD_INTERVAL_MS = 60_000;

export const SECURITY_FLAGS: FlagSpecs = {
  tls_cert_file: { kind: 'string', help: 'PEM certificate chain for TLS on the serving port (gRPC and HTTP; ALPN h2 and http/1.1); re-read when it changes', defaultText: 'none (plaintext)' },
  tls_key_file: { kind: 'string', help: 'PEM private key of --tls_cert_file', defaultText: 'none' },
  tls_client_ca_file: { kind: 'string', help: 'mTLS: PEM CA bundle; clients without a certificate it signed are refused in the handshake', defaultText: 'none (no client certificate asked)' },
  tls_mode: { kind: 'string', help: 'off | optional (TLS and plaintext on the one port) | required (plaintext connections refused)', defaultText: 'required with --tls_cert_file, else off' },
  auth_token_file: { kind: 'string', help: `file with the bearer token(s) every inference call must carry (one per line, # comments; several allow rotation); or set ${TOKEN_ENV}; health stays open`, defaultText: 'none (no authentication)' },
  admin_token_file: { kind: 'string', help: `file with the bearer token(s) for model repository operations (load, unload, index); or set ${ADMIN_TOKEN_ENV}`, defaultText: 'the inference token(s)' },
  auth_token: { kind: 'string', help: `refused: a token on the command line is visible to every user (ps); use --auth_token_file or ${TOKEN_ENV}` },
  admin_token: { kind: 'string', help: `refused: a token on the command line is visible to every user (ps); use --admin_token_file or ${ADMIN_TOKEN_ENV}` },
  allow_unauthenticated_baidu_std: { kind: 'boolean', help: 'with an inference token: still serve baidu_std connections, which cannot carry a token (otherwise they are refused and closed)', defaultText: 'false' },
  credential_reload_interval_ms: { kind: 'integer', help: 'how often the TLS and token files are checked for changes (renewed certificates, rotated tokens), milliseconds; 0 = never', defaultText: String(DEFAULT_RELOAD_INTERVAL_MS) },
};

export interface SecuritySources {
  /** The command line as given (to tell a token typed there from one in the environment). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function securityConfigFromFlags(flags: ParsedFlags, problems: string[], sources: SecuritySources): SecurityConfig {
  const str = (name: string): string | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`--${name} needs a file path; got "${String(value)}"`);
      return undefined;
    }
    return value;
  };
  for (const [flag, env, file] of [['auth_token', TOKEN_ENV, 'auth_token_file'], ['admin_token', ADMIN_TOKEN_ENV, 'admin_token_file']] as const) {
    if (sources.argv.some((arg) => new RegExp(`^--${flag.replace('_', '[-_]')}(=|$)`).test(arg))) {
      problems.push(`--${flag} is refused: a token on the command line is visible to every user of this host (ps, /proc); put it in a file readable only by the server (--${file}) or in the environment variable ${env}`);
    }
  }
  const certFile = str('tls_cert_file');
  const keyFile = str('tls_key_file');
  const clientCaFile = str('tls_client_ca_file');
  const modeText = flags.tls_mode as string | undefined;
  let mode: TlsMode = certFile === undefined ? 'off' : 'required';
  if (modeText !== undefined) {
    if ((TLS_MODES as readonly string[]).includes(modeText)) mode = modeText as TlsMode;
    else problems.push(`--tls_mode must be one of ${TLS_MODES.join(', ')}; got "${modeText}"`);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push(`--tls_cert_file and --tls_key_file go together; got only ${certFile === undefined ? '--tls_key_file' : '--tls_cert_file'}`);
  }
  if (clientCaFile !== undefined && certFile === undefined) {
    problems.push('--tls_client_ca_file (mTLS) needs TLS: give --tls_cert_file and --tls_key_file too');
  }
  if (mode !== 'off' && certFile === undefined && modeText !== undefined) {
    problems.push(`--tls_mode ${mode} needs --tls_cert_file and --tls_key_file`);
  }
  if (mode === 'off' && certFile !== undefined) {
    problems.push('--tls_mode off conflicts with --tls_cert_file: drop one (the certificate would be ignored)');
  }
  const tokenFile = str('auth_token_file');
  const adminTokenFile = str('admin_token_file');
  const envToken = nonEmpty(sources.env[TOKEN_ENV]);
  const envAdminToken = nonEmpty(sources.env[ADMIN_TOKEN_ENV]);
  if (tokenFile !== undefined && envToken !== undefined) problems.push(`--auth_token_file and ${TOKEN_ENV} are both set: keep one`);
  if (adminTokenFile !== undefined && envAdminToken !== undefined) problems.push(`--admin_token_file and ${ADMIN_TOKEN_ENV} are both set: keep one`);
  const allowBaiduStd = flags.allow_unauthenticated_baidu_std === true;
  if (flags.allow_unauthenticated_baidu_std !== undefined && tokenFile === undefined && envToken === undefined) {
    problems.push(`--allow_unauthenticated_baidu_std only applies when inference calls need a token (--auth_token_file or ${TOKEN_ENV}); without one baidu_std is served anyway`);
  }
  const reloadIntervalMs = (flags.credential_reload_interval_ms as number | undefined) ?? DEFAULT_RELOAD_INTERVAL_MS;
  if (!Number.isSafeInteger(reloadIntervalMs) || reloadIntervalMs < 0 || reloadIntervalMs > 2 ** 31 - 1) {
    problems.push(`--credential_reload_interval_ms must be an integer in 0..${2 ** 31 - 1} (milliseconds; 0 = never); got ${String(flags.credential_reload_interval_ms)}`);
  }
  const tls: TlsConfig | undefined = certFile !== undefined && keyFile !== undefined && mode !== 'off'
    ? Object.freeze({ certFile, keyFile, mode, ...(clientCaFile === undefined ? {} : { clientCaFile }) })
    : undefined;
  return Object.freeze({
    ...(tls === undefined ? {} : { tls }),
    auth: Object.freeze({
      ...(tokenFile === undefined ? {} : { tokenFile }),
      ...(envToken === undefined ? {} : { token: new Secret(envToken.trim()) }),
      ...(adminTokenFile === undefined ? {} : { adminTokenFile }),
      ...(envAdminToken === undefined ? {} : { adminToken: new Secret(envAdminToken.trim()) }),
      allowUnauthenticatedBaiduStd: allowBaiduStd,
    }),
    reloadIntervalMs,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
