/**
 * The one-port server's own types: a gRPC service to register on it (rec-serving's
 * PredictionService, Paddle's GeneralModelService, health, reflection) and the running server
 * that `startOnePortServer` returns, which serves every protocol on its port.
 */
import type * as grpc from '@grpc/grpc-js';

export interface ServiceRegistration {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface RunningPortServer {
  /** The grpc-js server the gRPC services are registered on. */
  readonly server: grpc.Server;
  readonly port: number;
  /**
   * First step of a stop: closes the listener and tells every gRPC connection to go away with a
   * GOAWAY that refuses no stream, resolving after a PING round trip on each (at most `timeoutMs`),
   * when clients have stopped opening streams on it. Calls meanwhile are served as usual.
   */
  announceStop(timeoutMs: number): Promise<void>;
  /** Stops accepting, waits for calls in flight up to `graceMs`, then forces. */
  stop(graceMs: number): Promise<void>;
}
