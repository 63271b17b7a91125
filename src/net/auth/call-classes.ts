/**
 * Which credential a call on the serving port needs, by its gRPC method path or HTTP method and
 * path: the one place that classifies calls, so every protocol front end (and services added
 * later) is covered by the same rules.
 *
 * Contract (pure):
 * - `open`: health checks, which probes send without credentials: `grpc.health.v1.Health/*`,
 *   the KServe V2 `ServerLive` / `ServerReady` RPCs, and HTTP `GET`/`HEAD` `/v2/health/live`
 *   and `/v2/health/ready`.
 * - `admin`: model repository control: gRPC `inference.GRPCInferenceService/Repository*`
 *   (index, load, unload) and every HTTP path under `/v2/repository/`.
 * - `inference`: everything else (Predict, Paddle's inference/debug, metadata, KServe
 *   ModelInfer, reflection, unknown paths), so a new method is protected by default.
 */

export type CallClass = 'open' | 'inference' | 'admin';

const OPEN_GRPC_PREFIXES: readonly string[] = ['/grpc.health.v1.Health/'];
const OPEN_GRPC_PATHS: ReadonlySet<string> = new Set([
  '/inference.GRPCInferenceService/ServerLive',
  '/inference.GRPCInferenceService/ServerReady',
]);
const ADMIN_GRPC_PREFIX = '/inference.GRPCInferenceService/Repository';

const OPEN_HTTP_PATHS: ReadonlySet<string> = new Set(['/v2/health/live', '/v2/health/ready']);
const ADMIN_HTTP_PREFIX = '/v2/repository/';

export function classifyGrpcPath(path: string): CallClass {
  if (OPEN_GRPC_PATHS.has(path) || OPEN_GRPC_PREFIXES.some((prefix) => path.startsWith(prefix))) return 'open';
  if (path.startsWith(ADMIN_GRPC_PREFIX)) return 'admin';
  return 'inference';
}

/** `url` as the request line has it (a query string is ignored). */
export function classifyHttpRequest(method: string, url: string): CallClass {
  const path = normalisePath(url);
  if ((method === 'GET' || method === 'HEAD') && OPEN_HTTP_PATHS.has(path)) return 'open';
  if (path.startsWith(ADMIN_HTTP_PREFIX) || path === ADMIN_HTTP_PREFIX.slice(0, -1)) return 'admin';
  return 'inference';
}

/** The path without query or fragment, with repeated slashes folded, so `//v2//repository/x` classifies as the router will see it. */
function normalisePath(url: string): string {
  // An absolute-form request target (`POST http://host/v2/...`) names the same path.
  const target = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  return path.replace(/\/{2,}/g, '/');
}
