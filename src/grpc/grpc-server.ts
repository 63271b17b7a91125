/**
 * Builds and binds the gRPC server that carries rec-serving's PredictionService (and, through
 * `extraServices`, the other gRPC services: Paddle's GeneralModelService, health, reflection).
 *
 * Contract: `startGrpcServer` resolves with the bound port (port 0 picks a free one) or rejects
 * with the bind error; `stop` waits for in-flight calls up to `graceMs`, then forces.
 */
import * as grpc from '@grpc/grpc-js';

export interface ServiceRegistration {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly services: readonly ServiceRegistration[];
  /** Largest request or response message, bytes (Paddle's --max_body_size). */
  readonly maxMessageBytes: number;
}

export interface RunningGrpcServer {
  readonly server: grpc.Server;
  readonly port: number;
  stop(graceMs: number): Promise<void>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
  });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  const address = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });
  return {
    server,
    port,
    stop: (graceMs) => stopServer(server, graceMs),
  };
}

function stopServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
