/**
 * rec-client's `--connect` and balancing flags, checked in one place.
 *
 * Contract: `balancingFromFlags(flags, mode)` parses `--connect` with connect-targets.ts (every
 * mode: a missing port or a URL is refused naming the expected form), refuses several endpoints
 * or `dns:` names for the modes without a balancing channel (http, rpc: one connection to one
 * `host:port`), and turns `--connections`, `--max_attempts` and `--service_config` into the gRPC
 * modes' BalancedChannelOptions. Every problem is a FlagError naming the flag and the value.
 */
import * as fs from 'node:fs';
import { FlagError, type FlagSpecs, type ParsedFlags } from '../config/parse-flags';
import type { BalancedChannelOptions } from './balanced-channel';
import { ConnectTargetError, parseConnectTargets } from './connect-targets';
import { defaultRetryServiceConfig, parseServiceConfig, type ServiceConfig } from './retry-policy';

export const BALANCING_FLAGS: FlagSpecs = {
  connections: { kind: 'integer', help: 'gRPC modes: HTTP/2 connections per endpoint (several spread the calls of one client over the processes of a rec-serve --processes N)', defaultText: '1' },
  max_attempts: { kind: 'integer', help: 'gRPC modes: attempts per call; 2..5 retries UNAVAILABLE on the next endpoint after a backoff of 100 ms doubling to 1 s, with gRPC retry throttling (10 tokens, ratio 0.1); 1 = no retries', defaultText: '1' },
  service_config: { kind: 'string', help: 'gRPC modes: a gRPC service config (JSON text, or @file) with methodConfig retryPolicy and retryThrottling; overrides --max_attempts' },
};

const GRPC_MODES = new Set(['grpc', 'paddle-grpc']);

export function balancingFromFlags(flags: ParsedFlags, mode: string): { address: string; balancing: BalancedChannelOptions } {
  const address = (flags.connect as string | undefined) ?? '127.0.0.1:9393';
  let targets;
  try {
    targets = parseConnectTargets(address);
  } catch (error) {
    if (error instanceof ConnectTargetError) throw new FlagError([`--connect ${error.message}`]);
    throw error;
  }
  const grpcMode = GRPC_MODES.has(mode);
  if (!grpcMode && (targets.length > 1 || targets[0].kind === 'dns')) {
    throw new FlagError([`--connect "${address}": --client_mode ${mode} connects to one host:port; several endpoints and dns: names are balanced by the gRPC modes (grpc, paddle-grpc), or put a load balancer in front`]);
  }
  const connections = (flags.connections as number | undefined) ?? 1;
  if (connections < 1 || connections > 64) throw new FlagError([`--connections must be in 1..64; got ${connections}`]);
  const maxAttempts = (flags.max_attempts as number | undefined) ?? 1;
  if (maxAttempts < 1 || maxAttempts > 5) throw new FlagError([`--max_attempts must be in 1..5 (gRPC's limit); got ${maxAttempts}`]);
  let serviceConfig: ServiceConfig | undefined = maxAttempts > 1 ? defaultRetryServiceConfig(maxAttempts) : undefined;
  const text = flags.service_config as string | undefined;
  if (text !== undefined) {
    try {
      serviceConfig = parseServiceConfig(text.startsWith('@') ? fs.readFileSync(text.slice(1), 'utf8') : text);
    } catch (error) {
      throw new FlagError([`--service_config: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
  if (!grpcMode) {
    const set = ['connections', 'max_attempts', 'service_config'].filter((name) => flags[name] !== undefined);
    if (set.length > 0) throw new FlagError([`${set.map((name) => `--${name}`).join(', ')} apply to the gRPC modes (grpc, paddle-grpc); --client_mode ${mode} has one connection and no retries`]);
  }
  return { address, balancing: { connectionsPerEndpoint: connections, ...(serviceConfig === undefined ? {} : { serviceConfig }) } };
}
