/**
 * Options a client mode may need beyond the address and deadline.
 */
import type { ModelSignature } from '../core/model-signature';
import type { ClientSecurity } from './client-security';
import type { BalancedChannelOptions } from './balanced-channel';

export interface TransportOptions {
  /** The client config's signature: Paddle modes send each feed's real name with its alias. */
  readonly signature?: ModelSignature;
  /** `http` mode body: JSON (Paddle's default) or serialized protobuf (`application/proto`). */
  readonly httpBody?: 'json' | 'proto';
  /** `http` mode: gzip the request body and accept gzip responses (Paddle's request/response compress). */
  readonly httpGzip?: boolean;
  /** TLS and bearer token for every mode (baidu_std: TLS only; it cannot carry a token). */
  readonly security?: ClientSecurity;
  /** `kserve-*` modes: the model to address (default: the server's only / default model). */
  readonly modelName?: string;
  /** gRPC modes: connections per endpoint, retry service config, DNS refresh (balanced-channel.ts). */
  readonly balancing?: BalancedChannelOptions;
}
