/**
 * rec-serve as a child process for the fuzz runs (so a crash is seen, not suffered, and RSS is
 * the server's own), started with the fuzz suite's low limits and timeouts. `processState`
 * reads /proc: alive (not exited, not a zombie) and resident set size in KiB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { startServerProcess, type ServerProcess } from '../../../benchmarks/lib/server-process';
import { FUZZ_SERVER_FLAGS } from './cases';

export interface FuzzServer {
  readonly process: ServerProcess;
  readonly port: number;
  readonly pid: number;
}

export async function startFuzzServer(modelDir: string, extraFlags: readonly string[] = []): Promise<FuzzServer> {
  const args = ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', ...FUZZ_SERVER_FLAGS, ...extraFlags];
  const server = await startServerProcess(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'), args, { startTimeoutMs: 60_000 });
  return { process: server, port: Number(server.address.split(':').pop()), pid: server.pid };
}

export function processState(pid: number): { alive: boolean; rssKb: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return { alive: state !== undefined && state !== 'Z' && state !== 'X', rssKb: rss === undefined ? 0 : Number(rss) };
  } catch {
    return { alive: false, rssKb: 0 };
  }
}
