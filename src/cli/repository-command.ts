/**
 * `rec-serving repository index|load|unload`: the model repository extension of the Open
 * Inference Protocol (KServe V2 / Triton), spoken over HTTP to a running server:
 *
 *   rec-serving repository index  --connect host:port [--ready]
 *   rec-serving repository load   --connect host:port --model NAME
 *   rec-serving repository unload --connect host:port --model NAME
 *
 * Requests (JSON bodies, as Triton's repository extension): POST /v2/repository/index
 * `{"ready": bool}` -> `[{"name","version","state","reason"}]`; POST
 * /v2/repository/models/{name}/load and .../unload `{}` -> 200 on success, or an error status
 * with `{"error": "..."}`.
 *
 * Contract: `runRepositoryCommand(argv, io)` resolves with the exit code: 0 on success, 2 for bad
 * flags, 1 when the server refused or could not be reached (its error message printed). It never
 * throws. The request times out after --timeout_ms.
 */
import * as http from 'node:http';
import { FlagError, formatHelp, parseFlags, type FlagSpecs } from '../config/parse-flags';

const REPOSITORY_COMMAND_FLAGS: FlagSpecs = {
  connect: { kind: 'string', help: 'host:port of the server\'s HTTP endpoint (the serving port)' },
  model: { kind: 'string', help: 'model name (load, unload)' },
  ready: { kind: 'boolean', help: 'index: only models that are ready', defaultText: 'false' },
  timeout_ms: { kind: 'integer', help: 'how long to wait for the server, milliseconds (a load waits for the warm-up)', defaultText: '120000' },
  help: { kind: 'boolean', help: 'print this help' },
};

export const REPOSITORY_USAGE = 'usage: rec-serving repository index|load|unload --connect host:port [--model NAME] [--ready]';

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export interface RepositoryRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** The request one command line stands for, or a FlagError naming what is wrong. */
function repositoryRequest(action: string | undefined, argv: readonly string[]): { request: RepositoryRequest; host: string; port: number; timeoutMs: number; model: string } {
  const flags = parseFlags(argv, REPOSITORY_COMMAND_FLAGS);
  const problems: string[] = [];
  if (action !== 'index' && action !== 'load' && action !== 'unload') problems.push(action === undefined ? 'an action is required: index, load or unload' : `unknown action "${action}"; expected index, load or unload`);
  const connect = flags.connect as string | undefined;
  const match = connect === undefined ? null : /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(connect);
  if (connect === undefined) problems.push('--connect host:port is required');
  else if (match === null || Number(match[2]) > 65535) problems.push(`--connect must be host:port (e.g. 127.0.0.1:9393); got "${connect}"`);
  const model = flags.model as string | undefined;
  if ((action === 'load' || action === 'unload') && (model === undefined || model === '')) problems.push(`${action} needs --model NAME`);
  if (action === 'index' && model !== undefined) problems.push('index lists every model; --model applies to load and unload');
  if (action !== 'index' && flags.ready !== undefined) problems.push('--ready applies to index only');
  const timeoutMs = (flags.timeout_ms as number | undefined) ?? 120000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) problems.push(`--timeout_ms must be a positive integer; got ${String(flags.timeout_ms)}`);
  if (problems.length > 0) throw new FlagError(problems);
  const request: RepositoryRequest = action === 'index'
    ? { path: '/v2/repository/index', body: { ready: flags.ready === true } }
    : { path: `/v2/repository/models/${encodeURIComponent(model!)}/${action}`, body: {} };
  return { request, host: match![1].replace(/^\[|\]$/g, ''), port: Number(match![2]), timeoutMs, model: model ?? '' };
}

export async function runRepositoryCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${formatHelp(REPOSITORY_USAGE, REPOSITORY_COMMAND_FLAGS)}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof repositoryRequest>;
  try {
    parsed = repositoryRequest(action, rest);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    io.err(`rec-serving repository: ${error.problems.join('\nrec-serving repository: ')}\n${REPOSITORY_USAGE}\n`);
    return 2;
  }
  const { request, host, port, timeoutMs, model } = parsed;
  let response: { status: number; body: string };
  try {
    response = await post(host, port, request, timeoutMs);
  } catch (error) {
    io.err(`rec-serving repository ${action}: cannot reach ${host}:${port}${request.path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  let json: unknown;
  try {
    json = response.body === '' ? {} : JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  if (response.status !== 200) {
    const message = typeof json === 'object' && json !== null && 'error' in json ? String((json as { error: unknown }).error) : response.body || `HTTP ${response.status}`;
    io.err(`rec-serving repository ${action}: the server answered ${response.status}: ${message}\n`);
    return 1;
  }
  if (action === 'index') {
    if (!Array.isArray(json)) {
      io.err(`rec-serving repository index: expected a JSON array from ${request.path}; got ${response.body.slice(0, 200)}\n`);
      return 1;
    }
    io.out(formatIndex(json as Array<Record<string, unknown>>));
    return 0;
  }
  io.out(`model "${model}" ${action === 'load' ? 'loaded' : 'unloaded'}\n`);
  return 0;
}

/** One line per model version: name, version, state, reason. */
function formatIndex(entries: ReadonlyArray<Record<string, unknown>>): string {
  const rows = [['MODEL', 'VERSION', 'STATE', 'REASON'], ...entries.map((e) => [String(e.name ?? ''), String(e.version ?? ''), String(e.state ?? ''), String(e.reason ?? '')])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd()).join('\n') + '\n';
}

function post(host: string, port: number, request: RepositoryRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(request.body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'POST', path: request.path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within --timeout_ms ${timeoutMs}`)));
    req.on('error', reject);
    req.end(payload);
  });
}
