/**
 * The server's health state, published through the standard `grpc.health.v1.Health` service
 * (Check and Watch, from the `grpc-health-check` package) and read by the HTTP live/ready
 * endpoints.
 *
 * Contract: live from creation until the process exits. Not ready (health NOT_SERVING for the
 * overall server "" and every registered service name) until `markReady()`, which the
 * composition root calls once every model is loaded and warmed up; `markStopping()` turns
 * everything NOT_SERVING again, before the server stops accepting calls, for good.
 * `setCanServe(false)` (no worker can run a request) turns it NOT_SERVING until
 * `setCanServe(true)`. `setModelReady(name, ready)` adds or updates a model's own status (the model
 * repository: NOT_SERVING while none of its versions serves, e.g. after an unload). Watchers see
 * each change.
 */
import { HealthImplementation, service as healthServiceDefinition, type ServingStatus } from 'grpc-health-check';
import type * as grpc from '@grpc/grpc-js';
import type { ServiceRegistration } from '../net/port-server-types';

export class ServingHealth {
  private readonly implementation: HealthImplementation;
  private started = false;
  private stopping = false;
  private canServe = true;
  /** Models of the repository by name: true while at least one version serves. */
  private readonly models = new Map<string, boolean>();

  private constructor(private readonly serviceNames: readonly string[]) {
    const initial: Record<string, ServingStatus> = { '': 'NOT_SERVING' };
    for (const name of serviceNames) initial[name] = 'NOT_SERVING';
    this.implementation = new HealthImplementation(initial);
  }

  /** `serviceNames`: fully qualified gRPC services (and model names) whose health is reported. */
  static create(serviceNames: readonly string[]): ServingHealth {
    return new ServingHealth(serviceNames);
  }

  /**
   * Always true: the process is live as long as it can answer at all. A wedged event loop or a
   * dead process does not answer, and that is what a liveness probe detects (by its timeout).
   */
  get isLive(): boolean {
    return true;
  }

  get isReady(): boolean {
    return this.started && !this.stopping && this.canServe;
  }

  markReady(): void {
    this.started = true;
    this.publish();
  }

  markStopping(): void {
    this.stopping = true;
    this.publish();
  }

  setCanServe(canServe: boolean): void {
    this.canServe = canServe;
    this.publish();
  }

  /** A model's health (service name = the model name): SERVING while the server is and a version of it serves. */
  setModelReady(name: string, ready: boolean): void {
    this.models.set(name, ready);
    this.publish();
  }

  private publish(): void {
    this.setAll(this.isReady ? 'SERVING' : 'NOT_SERVING');
  }

  /** The Health service, to add to the gRPC server. */
  registration(): ServiceRegistration {
    const captured: ServiceRegistration[] = [];
    this.implementation.addToServer({
      addService: (definition, implementation) => captured.push({ definition: definition as unknown as grpc.ServiceDefinition, implementation: implementation as grpc.UntypedServiceImplementation }),
    });
    if (captured.length !== 1) throw new Error(`grpc-health-check registered ${captured.length} services; expected 1`);
    return captured[0];
  }

  private setAll(status: ServingStatus): void {
    this.implementation.setStatus('', status);
    for (const name of this.serviceNames) this.implementation.setStatus(name, status);
    for (const [name, ready] of this.models) this.implementation.setStatus(name, ready ? status : 'NOT_SERVING');
  }
}

export { healthServiceDefinition };
