/**
 * The client modes rec-client and the benchmarks accept, and a factory for each.
 *
 * Contract: `createTransport(mode, address)` returns a transport or throws an Error listing the
 * modes this build supports.
 */
import { createGrpcTransport } from './grpc-transport';
import type { PredictionTransport } from './prediction-transport';

export type TransportFactory = (address: string, deadlineMs: number) => PredictionTransport;

export const TRANSPORTS: Readonly<Record<string, TransportFactory>> = {
  grpc: createGrpcTransport,
};

export function createTransport(mode: string, address: string, deadlineMs: number): PredictionTransport {
  const factory = TRANSPORTS[mode];
  if (factory === undefined) throw new Error(`unknown --client_mode "${mode}"; supported: ${Object.keys(TRANSPORTS).join(', ')}`);
  return factory(address, deadlineMs);
}
