/**
 * The operations HTTP port (Paddle's `--enable_prometheus` / `--prometheus_port`, default 19393):
 * `GET /metrics` in Prometheus text format, and the V2 health endpoints `GET /v2/health/live`
 * and `/v2/health/ready`.
 *
 * Contract: `startOpsHttpServer` resolves with the bound port (0 picks a free one) or rejects
 * with the bind error; other paths get 404 naming the available ones; `close()` stops listening
 * and closes idle keep-alive connections.
 */
import * as http from 'node:http';
import type { Registry } from 'prom-client';
import { handleHealthHttp, type HealthView } from './health-http';

export interface OpsHttpServer {
  readonly port: number;
  /** The address it listens on (e.g. 127.0.0.1). */
  readonly host: string;
  close(): Promise<void>;
}

export async function startOpsHttpServer(options: { host: string; port: number; registry: Registry; health: HealthView }): Promise<OpsHttpServer> {
  const server = http.createServer((req, res) => {
    if (handleHealthHttp(req, res, options.health)) return;
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect metrics: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for ${req.method} ${path}; available: GET /metrics, /v2/health/live, /v2/health/ready\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    host: typeof address === 'object' && address !== null ? address.address : options.host,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
