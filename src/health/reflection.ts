/**
 * gRPC server reflection (`grpc.reflection.v1` and `v1alpha`, from `@grpc/reflection`) over the
 * server's own .proto files, so grpcurl, Postman and similar tools can list and call our services
 * without the .proto files.
 *
 * Contract: `reflectionRegistrations(protoFiles)` loads the given .proto files (plus the health
 * proto) and returns the reflection services to add to the gRPC server.
 */
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type * as grpc from '@grpc/grpc-js';
import type { ServiceRegistration } from '../net/port-server-types';

export function reflectionRegistrations(protoFiles: readonly string[], includeDirs: readonly string[]): ServiceRegistration[] {
  const definition = protoLoader.loadSync([...protoFiles, healthProtoPath], { includeDirs: [...includeDirs], keepCase: true, longs: String, defaults: true });
  const reflection = new ReflectionService(definition as ConstructorParameters<typeof ReflectionService>[0]);
  const captured: ServiceRegistration[] = [];
  reflection.addToServer({
    addService: (service, implementation) => captured.push({ definition: service as grpc.ServiceDefinition, implementation: implementation as grpc.UntypedServiceImplementation }),
  });
  return captured;
}
