/**
 * What the naive-versus-rec-serve benchmark measures: the series (a server and a client mode)
 * and the loads (batch size and requests in flight).
 *
 * Contract: constant data. Exactly one series is the naive baseline (`NAIVE_SERIES_KEY`); every
 * rec-serve series is compared with it. Keys are stable: the JSON results and the criteria use them.
 */
import type { TransportOptions } from '../../src/client/transport-options';

/** `floor`: benchmarks/naive/replay-server.ts, HTTP/2 with no work done (the ceiling, not a contender). */
export type ServerKind = 'naive' | 'rec-serve' | 'floor';

export interface Series {
  readonly key: string;
  readonly name: string;
  readonly server: ServerKind;
  /** A client mode of src/client/transports.ts. */
  readonly mode: string;
  readonly options: TransportOptions;
}

export const NAIVE_SERIES_KEY = 'naive';

export const SERIES: readonly Series[] = [
  { key: NAIVE_SERIES_KEY, name: 'naive (grpc-js + proto-loader, ORT on the main thread), Paddle gRPC', server: 'naive', mode: 'paddle-grpc', options: {} },
  { key: 'grpc', name: 'rec-serve, gRPC Predict', server: 'rec-serve', mode: 'grpc', options: {} },
  { key: 'paddle-grpc', name: 'rec-serve, Paddle gRPC', server: 'rec-serve', mode: 'paddle-grpc', options: {} },
  { key: 'http-proto', name: 'rec-serve, HTTP (proto body)', server: 'rec-serve', mode: 'http', options: { httpBody: 'proto' } },
  { key: 'baidu_std', name: 'rec-serve, baidu_std (rpc)', server: 'rec-serve', mode: 'rpc', options: {} },
  { key: 'kserve-grpc', name: 'rec-serve, Open Inference Protocol gRPC (raw contents)', server: 'rec-serve', mode: 'kserve-grpc', options: {} },
  { key: 'kserve-http', name: 'rec-serve, Open Inference Protocol HTTP (binary data)', server: 'rec-serve', mode: 'kserve-http', options: {} },
  { key: 'floor-grpc', name: 'floor: node:http2 replaying a stored answer, no decode and no model (gRPC Predict)', server: 'floor', mode: 'grpc', options: {} },
];

export type LoadKey = 'b5x1' | 'b5x16' | 'b2048x1';

export interface Load {
  readonly key: LoadKey;
  readonly title: string;
  readonly batchSize: number;
  readonly inFlight: number;
}

export const LOADS: readonly Load[] = [
  { key: 'b5x1', title: 'batch 5, 1 in flight', batchSize: 5, inFlight: 1 },
  { key: 'b5x16', title: 'batch 5, 16 in flight', batchSize: 5, inFlight: 16 },
  { key: 'b2048x1', title: 'batch 2048, 1 in flight', batchSize: 2048, inFlight: 1 },
];
