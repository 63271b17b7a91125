/**
 * Admission of a gRPC call served on the fast routes, asked before its body is read: the core's
 * `Predictor.admission()` (stopping, load shedding, --max_concurrency). A refused call is
 * reported to the metrics observer like any failed call (its protocol from the route, its method
 * from the path's last segment), so `ctr_requests_total` counts it whether it was refused before
 * or after its body.
 *
 * Contract: `admitGrpcCall(predictor, observe, routes)` returns the `refusal(path)` function the
 * one-port server takes; `routes` pairs each fast-route path with its protocol label.
 */
import type { CallObserver } from '../core/call-observer';
import type { ServingError } from '../core/errors';
import type { Predictor } from '../core/predictor';

export function admitGrpcCall(
  predictor: Predictor, observe: CallObserver, routes: ReadonlyArray<readonly [string, string]>,
): (path: string) => ServingError | undefined {
  const protocolOf = new Map(routes);
  return (path) => {
    const refused = predictor.admission();
    if (refused !== undefined) {
      const protocol = protocolOf.get(path);
      if (protocol !== undefined) {
        observe({ method: path.slice(path.lastIndexOf('/') + 1), protocol, model: '', code: refused.code, rows: 0, durationMicros: 0, queueMicros: 0, computeMicros: 0 });
      }
    }
    return refused;
  };
}
