/**
 * Start-up check of the ports a server will listen on, before the slow part (model load,
 * provider probes, warm-up): a busy or forbidden port fails in milliseconds, naming the flag
 * that chose it and how to pick another.
 *
 * Contract: `checkPortsFree(ports)` binds each `{ flag, host, port }` (port 0 is skipped: any
 * free port will do) and closes it again; it rejects with one Error naming every port that
 * cannot be bound, e.g. `--port 9393: 0.0.0.0:9393 is already in use (is another rec-serve
 * running?); choose another with --port <n> (0 = any free port)`. The real listen later can
 * still fail (a race with another process); that error names the port too.
 */
import * as cluster from 'node:cluster';
import * as net from 'node:net';

export interface PortToCheck {
  /** The flag that chose the port, without dashes: `port`, `prometheus_port`. */
  readonly flag: string;
  readonly host: string;
  readonly port: number;
}

export async function checkPortsFree(ports: readonly PortToCheck[]): Promise<void> {
  // A cluster worker's listen goes through the primary, which shares the port: nothing to check.
  if (cluster.default?.isWorker ?? (cluster as unknown as { isWorker?: boolean }).isWorker) return;
  const problems: string[] = [];
  for (const entry of ports) {
    if (entry.port === 0) continue;
    const problem = await tryBind(entry);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** The message for a port that cannot be bound (also used when the real listen fails). */
export function portProblem(entry: PortToCheck, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${entry.host}:${entry.port}`;
  const how = `choose another with --${entry.flag} <n> (0 = any free port)`;
  if (code === 'EADDRINUSE') return `--${entry.flag} ${entry.port}: ${where} is already in use (is another rec-serve running?); ${how}`;
  if (code === 'EACCES') return `--${entry.flag} ${entry.port}: no permission to listen on ${where} (ports below 1024 need privileges); ${how}`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `--${entry.flag} ${entry.port}: ${entry.host} is not an address of this machine; check --${entry.flag === 'port' ? 'host' : 'prometheus_host'}`;
  }
  return `--${entry.flag} ${entry.port}: cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`;
}

function tryBind(entry: PortToCheck): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error) => resolve(portProblem(entry, error)));
    server.listen({ host: entry.host, port: entry.port }, () => server.close(() => resolve(undefined)));
  });
}
