/**
 * Builds the serving port's security (net/port-security.ts) from the security flags: reads the
 * TLS certificate, key and client CA and the token files, starts watching them for changes, and
 * logs what is in force.
 *
 * Contract: `startServingSecurity(config, logger, handshakeTimeoutMs)` rejects with a message
 * naming the file and the problem when a file cannot be read or is not valid (the server then
 * refuses to start). A changed file that is valid replaces the old material for new connections
 * and calls (logged at INFO with the new certificate's subject and expiry); one that is not is
 * logged at ERROR with the reason and the old material stays in force. `close()` stops watching.
 * Logs a WARN when tokens would travel in plaintext (auth on, TLS off, non-loopback address), and
 * when the key or a token file can be read by other users.
 */
import { promises as fsp } from 'node:fs';
import type { SecurityConfig } from '../config/security-config';
import type { Logger } from '../logging/logger';
import { AuthPolicy, type AuthTokens } from '../net/auth/auth-policy';
import { TokenSet, checkToken, parseTokenFile } from '../net/auth/bearer-tokens';
import { loadAndWatch, type FileWatch } from '../net/credential-files';
import type { PortSecurity } from '../net/port-security';
import { ThrottledLog } from '../net/throttled-log';
import { TlsTermination, type TlsMaterial } from '../net/tls/tls-termination';

export interface ServingSecurity extends PortSecurity {
  /** One line for the "serving on" log line, e.g. "TLS required (mTLS), bearer tokens". */
  readonly summary: string;
  close(): void;
}

export async function startServingSecurity(config: SecurityConfig, logger: Logger, options: { handshakeTimeoutMs: number; host: string }): Promise<ServingSecurity> {
  const log = new ThrottledLog(logger);
  const watches: FileWatch[] = [];
  const intervalMs = config.reloadIntervalMs;
  try {
    let tls: TlsTermination | undefined;
    const tlsConfig = config.tls;
    if (tlsConfig !== undefined) {
      const files = [tlsConfig.certFile, tlsConfig.keyFile, ...(tlsConfig.clientCaFile === undefined ? [] : [tlsConfig.clientCaFile])];
      const material = (contents: readonly Buffer[]): TlsMaterial => ({
        cert: contents[0], key: contents[1], certFile: tlsConfig.certFile, keyFile: tlsConfig.keyFile,
        ...(tlsConfig.clientCaFile === undefined ? {} : { ca: contents[2], caFile: tlsConfig.clientCaFile }),
      });
      watches.push(await loadAndWatch(files, material, (loaded) => {
        if (tls === undefined) {
          tls = new TlsTermination(loaded, { handshakeTimeoutMs: options.handshakeTimeoutMs, log });
          logger.info('TLS certificate loaded', { ...tls.certificate, mode: tlsConfig.mode, mutualTls: tls.mutualTls });
        } else {
          logger.info('TLS certificate reloaded: new connections use it', { ...tls.update(loaded) });
        }
      }, {
        intervalMs,
        onRejected: (reason) => logger.error(`TLS files changed but were not reloaded (the previous certificate stays in use): ${reason}`),
      }));
    }
    const tokens: { inference?: TokenSet; admin?: TokenSet } = {};
    let policy: AuthPolicy | undefined;
    const update = (patch: AuthTokens) => {
      Object.assign(tokens, patch);
      policy?.setTokens({ ...tokens });
    };
    for (const [role, file, secret] of [['inference', config.auth.tokenFile, config.auth.token], ['admin', config.auth.adminTokenFile, config.auth.adminToken]] as const) {
      if (secret !== undefined) {
        checkToken(secret.reveal(), role === 'inference' ? 'REC_SERVING_AUTH_TOKEN' : 'REC_SERVING_ADMIN_TOKEN');
        update({ [role]: new TokenSet([secret.reveal()]) });
      } else if (file !== undefined) {
        let loaded = false;
        watches.push(await loadAndWatch([file], ([text]) => new TokenSet(parseTokenFile(text.toString('utf8'), file)), (set) => {
          update({ [role]: set });
          if (loaded) logger.info(`${role} token file reloaded: ${set.size} token(s) accepted from now on`, { file });
          loaded = true;
        }, {
          intervalMs,
          onRejected: (reason) => logger.error(`the ${role} token file changed but was not reloaded (the previous tokens stay in force): ${reason}`),
        }));
      }
    }
    const secretFiles = [config.tls?.keyFile, config.auth.tokenFile, config.auth.adminTokenFile].filter((file): file is string => file !== undefined);
    for (const file of secretFiles) await warnIfShared(file, logger);
    if (tokens.inference !== undefined || tokens.admin !== undefined) {
      policy = new AuthPolicy({ ...tokens }, config.auth.allowUnauthenticatedBaiduStd);
      logger.info('bearer-token authentication on', {
        inference: tokens.inference === undefined ? 'open' : `${tokens.inference.size} token(s)`,
        admin: tokens.admin !== undefined ? `${tokens.admin.size} token(s)` : tokens.inference !== undefined ? 'the inference token(s)' : 'open',
        baiduStd: policy.baiduStdRefusal() === undefined ? 'served' : 'refused (cannot carry a token)',
        open: 'grpc.health.v1, KServe ServerLive/ServerReady, GET /v2/health/{live,ready}',
      });
      if (tls === undefined && !isLoopback(options.host)) {
        logger.warn(`bearer tokens travel in plaintext on ${options.host}: anyone on the network path can read and replay them; serve TLS (--tls_cert_file/--tls_key_file) or listen on 127.0.0.1 behind a TLS proxy`);
      } else if (config.tls?.mode === 'optional' && !isLoopback(options.host)) {
        logger.warn(`plaintext connections stay allowed on ${options.host} (--tls_mode optional): a token sent on one travels in clear text; use --tls_mode required where clients can all do TLS`);
      }
    }
    const parts = [
      tls === undefined ? 'plaintext' : `TLS ${config.tls!.mode}${tls.mutualTls ? ' (mTLS)' : ''}`,
      policy === undefined ? 'no authentication' : 'bearer tokens',
    ];
    return {
      ...(tls === undefined ? {} : { tls }),
      plaintext: config.tls?.mode === 'required' ? 'refused' : 'allowed',
      ...(policy === undefined ? {} : { auth: policy }),
      log,
      summary: parts.join(', '),
      close: () => { for (const watch of watches) watch.stop(); },
    };
  } catch (error) {
    for (const watch of watches) watch.stop();
    throw error;
  }
}

/** A key or token file other users can read is a leaked secret waiting to happen. */
async function warnIfShared(file: string, logger: Logger): Promise<void> {
  const mode = (await fsp.stat(file)).mode & 0o777;
  if ((mode & 0o044) !== 0) logger.warn(`${file} can be read by other users (mode ${mode.toString(8).padStart(3, '0')}): make it readable by the server's user only (chmod 600, or defaultMode 0400 on a Kubernetes Secret volume)`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
