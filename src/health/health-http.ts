/**
 * HTTP health endpoints of the KServe V2 / Open Inference Protocol: `GET /v2/health/live` and
 * `GET /v2/health/ready`, served on the operations HTTP port (ops-http-server.ts, with
 * `--enable_prometheus`). The main port answers the same paths through the OIP REST handler
 * (kserve/http/oip-http-handler.ts: 400 rather than 503 when not ready, as KServe V2 specifies).
 *
 * Contract: `handleHealthHttp(req, res, health)` returns false without touching `res` for any
 * other path; for these paths it answers 200 `{"live":true}` / `{"ready":true,"models":{...}}`
 * (per-model details such as the execution provider, when the view has them), or 503
 * `{"ready":false}` while the server is loading or stopping, and 405 for methods other than
 * GET and HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HealthView {
  readonly isLive: boolean;
  readonly isReady: boolean;
  /** Per-model details added to the ready answer, e.g. the execution provider each model runs on. */
  readonly details?: () => Record<string, unknown>;
}

export function handleHealthHttp(req: IncomingMessage, res: ServerResponse, health: HealthView): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/v2/health/live' && path !== '/v2/health/ready') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: `method ${req.method} not allowed on ${path}; use GET` }));
    return true;
  }
  const [key, ok] = path.endsWith('/live') ? ['live', health.isLive] : ['ready', health.isReady];
  const details = key === 'ready' && health.details !== undefined ? { models: health.details() } : {};
  const body = JSON.stringify({ [key]: ok, ...details });
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
