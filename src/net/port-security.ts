/**
 * What the one-port server enforces besides the protocols themselves: TLS termination (and
 * whether plaintext connections stay allowed next to it) and bearer-token authentication. Built
 * by the composition root (server/serving-security.ts) from the serve flags.
 */
import type { AuthPolicy } from './auth/auth-policy';
import type { ThrottledLog } from './throttled-log';
import type { TlsTermination } from './tls/tls-termination';

export interface PortSecurity {
  /** Undefined: plaintext only; a TLS ClientHello is refused (closed, logged). */
  readonly tls?: TlsTermination;
  /** With `tls`: whether plaintext connections are still served ('refused' = --tls_mode required). */
  readonly plaintext: 'allowed' | 'refused';
  /** Token checks on every gRPC stream and HTTP request, and the baidu_std rule. */
  readonly auth?: AuthPolicy;
  /** Refused connections and calls are logged through this. */
  readonly log: ThrottledLog;
}
