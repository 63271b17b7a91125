/**
 * Runs nginx (Debian `nginx-light`) as a child process in front of rec-serve instances with the
 * repo's shipped config `serving_server/deploy/nginx/rec-serving-grpc.conf`: its upstream servers
 * and listen port are substituted, and it is wrapped in a main config whose pid, logs and temp
 * files live in a temp dir (non-daemon, no root paths), so tests and benchmarks run the shipped file.
 *
 * Contract: `nginxBinary()` is the path of nginx or undefined when it is not installed;
 * `startNginx(backends)` resolves once nginx accepts connections on its free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { makeTempDir } from './test-server';

export const SHIPPED_NGINX_CONF = path.join(REPO_ROOT, 'serving_server', 'deploy', 'nginx', 'rec-serving-grpc.conf');

export function nginxBinary(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    const probe = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The shipped http-context file with `backends` as upstream servers and `127.0.0.1:port` as its listener. */
export function renderShippedConfig(backends: readonly string[], port: number): string {
  const shipped = fs.readFileSync(SHIPPED_NGINX_CONF, 'utf8');
  const servers = /^(\s*)server \S+ (max_fails=.*);$/m.exec(shipped);
  if (servers === null) throw new Error(`${SHIPPED_NGINX_CONF} has no "server host:port max_fails=...;" upstream line to substitute`);
  const upstreamLines = backends.map((b) => `${servers[1]}server ${b} ${servers[2]};`).join('\n');
  const withBackends = shipped.replace(/^(\s*)server \S+ max_fails=.*;$(\n\s*server \S+ max_fails=.*;$)*/m, upstreamLines);
  if (!/^\s*listen 9393 http2;$/m.test(withBackends)) throw new Error(`${SHIPPED_NGINX_CONF} has no "listen 9393 http2;" line to substitute`);
  return withBackends.replace(/^(\s*)listen 9393 http2;$/m, `$1listen 127.0.0.1:${port} http2;`);
}

export interface RunningNginx {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startNginx(binary: string, backends: readonly string[]): Promise<RunningNginx> {
  const dir = makeTempDir('nginx');
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'rec-serving-grpc.conf'), renderShippedConfig(backends, port));
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, `${name}-temp`)};`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), [
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} info;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${path.join(dir, 'access.log')};`,
    `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
    `  include ${path.join(dir, 'rec-serving-grpc.conf')};`,
    '}',
  ].join('\n'));
  const child = spawn(binary, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = () => `${stderr}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`;
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${errorLog()}`);
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (listening) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on 127.0.0.1:${port} within 15 s:\n${errorLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    dir,
    child,
    errorLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
