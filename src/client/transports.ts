/**
 * The client modes rec-client and the benchmarks accept, and a factory for each.
 *
 * Contract: `createTransport(mode, address)` returns a transport or throws an Error listing the
 * modes this build supports. `web` is an alias of `http`, as PaddleRec's rec_client.py names it.
 */
import { createGrpcTransport } from './grpc-transport';
import { createKServeGrpcTransport, createKServeHttpTransport } from './kserve/kserve-transports';
import { createPaddleGrpcTransport } from './paddle-grpc-transport';
import { createPaddleHttpTransport } from './paddle-http-transport';
import { createPaddleRpcTransport } from './paddle-rpc-transport';
import type { PredictionTransport } from './prediction-transport';
import type { TransportOptions } from './transport-options';

export type TransportFactory = (address: string, deadlineMs: number, options?: TransportOptions) => PredictionTransport;

export const TRANSPORTS: Readonly<Record<string, TransportFactory>> = {
  grpc: createGrpcTransport,
  'paddle-grpc': createPaddleGrpcTransport,
  http: createPaddleHttpTransport,
  rpc: createPaddleRpcTransport,
  /** PaddleRec's rec_client.py spells the HTTP mode `web` (`--client_mode rpc|web`). */
  web: createPaddleHttpTransport,
  /** The Open Inference Protocol (KServe V2 / Triton) over gRPC and over HTTP. */
  'kserve-grpc': createKServeGrpcTransport,
  'kserve-http': createKServeHttpTransport,
};

export function createTransport(mode: string, address: string, deadlineMs: number, options: TransportOptions = {}): PredictionTransport {
  const factory = TRANSPORTS[mode];
  if (factory === undefined) throw new Error(`unknown --client_mode "${mode}"; supported: ${Object.keys(TRANSPORTS).join(', ')}`);
  return factory(address, deadlineMs, options);
}
