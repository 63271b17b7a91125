/**
 * Types shared by the code that assembles the gRPC side of the server: a service to register
 * (rec-serving's PredictionService, Paddle's GeneralModelService, health, reflection) and the
 * running server that `net/one-port-server.ts` returns.
 */
import type * as grpc from '@grpc/grpc-js';

export interface ServiceRegistration {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface RunningGrpcServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** Stops accepting, waits for calls in flight up to `graceMs`, then forces. */
  stop(graceMs: number): Promise<void>;
}
