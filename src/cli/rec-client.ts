#!/usr/bin/env node
/**
 * `rec-client`: PaddleRec's tools/rec_client.py for rec-serving. Reads Criteo data, sends batches
 * of --batchsize with --threads concurrent callers, prints Paddle's per-batch log line on stderr
 * and the fetch map on stdout, then a summary (requests, rows, QPS, latency percentiles, AUC).
 *
 * Exit codes: 0 when every request succeeded, 1 when any failed, 2 for bad flags or data.
 */
import * as path from 'node:path';
import { FlagError, parseFlagsOrHelp, type FlagSpecs } from '../config/parse-flags';
import { BALANCING_FLAGS, balancingFromFlags } from '../client/balancing-flags';
import { loadClientConfig } from '../client/client-config';
import { CLIENT_SECURITY_FLAGS, loadClientSecurity, type ClientSecurityFlags } from '../client/client-security';
import { runClosedLoop } from '../client/closed-loop-runner';
import { formatFetchMap } from '../client/format-fetch-map';
import { loadCriteoBatches } from '../client/load-criteo-batches';
import { formatRunSummary } from '../client/run-summary';
import { createTransport, TRANSPORTS } from '../client/transports';
import { FailureLog } from '../client/failure-log';
import { fromFlag } from '../client/named-input';
import { notAnsweringMessage } from '../client/unreachable-server';
import { REPO_ROOT } from '../paths/repo-root';
import { runMain } from './run-main';
import { installLeanAsyncResourceBind } from '../client/lean-async-resource-bind';

const FLAGS: FlagSpecs = {
  client_config: { kind: 'string', help: 'serving_client_conf.prototxt or its directory', defaultText: 'serving_client' },
  connect: { kind: 'string', help: 'server address host:port; the gRPC modes also take several (a:9393,b:9393, round robin) and dns:host:port (every address of the name)', defaultText: '127.0.0.1:9393' },
  ...BALANCING_FLAGS,
  use_gpu: { kind: 'boolean', help: 'accepted for rec_client.py compatibility; the server decides where to run', defaultText: 'false' },
  data_dir: { kind: 'string', help: 'Criteo data file or directory (every file is read)', defaultText: 'serving_client/sample_data' },
  reader_file: { kind: 'string', help: 'rec_client.py\'s Python reader: not supported, use --reader' },
  reader: { kind: 'string', help: 'slot | raw | auto (detect per file)', defaultText: 'auto' },
  batchsize: { kind: 'integer', help: 'rows per request', defaultText: '5' },
  threads: { kind: 'integer', help: 'concurrent in-flight requests', defaultText: '1' },
  client_mode: { kind: 'string', help: `protocol: ${Object.keys(TRANSPORTS).join(' | ')}`, defaultText: 'grpc' },
  http_body: { kind: 'string', help: '--client_mode http body: json (Paddle HttpClient default) | proto (application/proto)', defaultText: 'json' },
  http_gzip: { kind: 'boolean', help: '--client_mode http: gzip request bodies and accept gzip responses', defaultText: 'false' },
  requests: { kind: 'integer', help: 'send this many requests, cycling over the data (0 = one pass)', defaultText: '0' },
  duration_s: { kind: 'number', help: 'send for this many seconds, cycling over the data (0 = one pass)', defaultText: '0' },
  deadline_ms: { kind: 'integer', help: 'per-request deadline (0 = none)', defaultText: '0' },
  quiet: { kind: 'boolean', help: 'print only the summary', defaultText: 'false' },
  json: { kind: 'boolean', help: 'print the summary as JSON on stdout', defaultText: 'false' },
  ...CLIENT_SECURITY_FLAGS,
  help: { kind: 'boolean', help: 'print this help' },
};

async function main(): Promise<number> {
  installLeanAsyncResourceBind(); // its calls' garbage dies young (client/lean-async-resource-bind.ts)
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: rec-client --connect 127.0.0.1:9393 --batchsize 5 [flags]', FLAGS);
  if (flags === undefined) return 0;
  if (flags.reader_file !== undefined) {
    throw new FlagError(['--reader_file loads a Python reader, which rec-client cannot run; it reads Criteo slot and raw files itself (--reader slot|raw|auto)']);
  }
  const batchSize = (flags.batchsize as number | undefined) ?? 5;
  const threads = (flags.threads as number | undefined) ?? 1;
  if (batchSize < 1) throw new FlagError([`--batchsize must be at least 1; got ${batchSize}`]);
  if (threads < 1) throw new FlagError([`--threads must be at least 1; got ${threads}`]);
  const reader = (flags.reader as string | undefined) ?? 'auto';
  if (!['slot', 'raw', 'auto'].includes(reader)) throw new FlagError([`--reader must be slot, raw or auto; got "${reader}"`]);
  const config = await fromFlag('client_config', (flags.client_config as string | undefined) ?? path.join(REPO_ROOT, 'serving_client'), 'serving_client_conf.prototxt or the directory holding it', loadClientConfig);
  const dataPath = (flags.data_dir as string | undefined) ?? path.join(REPO_ROOT, 'serving_client', 'sample_data');
  const batches = await fromFlag('data_dir', dataPath, 'a Criteo data file or a directory of them (rec-serving generate-data writes some)',
    (data) => loadCriteoBatches(data, batchSize, config.feedAliases, reader as 'slot' | 'raw' | 'auto'));
  if (batches.length === 0) throw new FlagError([`${dataPath} has fewer than --batchsize ${batchSize} samples: nothing to send`]);

  const httpBody = (flags.http_body as string | undefined) ?? 'json';
  if (httpBody !== 'json' && httpBody !== 'proto') throw new FlagError([`--http_body must be json or proto; got "${httpBody}"`]);
  const mode = (flags.client_mode as string | undefined) ?? 'grpc';
  const { address, balancing } = balancingFromFlags(flags, mode);
  const transport = createTransport(mode, address, (flags.deadline_ms as number | undefined) ?? 0,
    { signature: config.signature, httpBody, httpGzip: flags.http_gzip === true, balancing, security: loadClientSecurity(flags as ClientSecurityFlags, process.env) });
  const quiet = flags.quiet === true || flags.json === true;
  const failures = new FailureLog((line) => process.stderr.write(`${line}\n`));
  // Each batch's latest scores, copied into an array kept per batch (no garbage per call).
  const scores: Float64Array[] = batches.map(() => NO_SCORES);
  const fetch = config.fetchAliases;
  try {
    const result = await runClosedLoop(transport, batches, {
      threads,
      requests: (flags.requests as number | undefined) ?? 0,
      durationMs: ((flags.duration_s as number | undefined) ?? 0) * 1000,
      fetch,
      onResult(requestId, batchIndex, outcome) {
        failures.succeeded();
        keepScores(scores, batchIndex, outcome.outputs[fetch[0]]?.data);
        if (quiet) return;
        const server = Number.isNaN(outcome.serverMicros) ? 'n/a' : `${(outcome.serverMicros / 1000).toFixed(3)}ms`;
        process.stderr.write(`[client]logid=${requestId},client_cost=${(outcome.clientMicros / 1000).toFixed(3)}ms,server_cost=${server}.\n`);
        process.stdout.write(`${formatFetchMap(outcome.outputs)}\n`);
      },
      onError(requestId, _batchIndex, error) {
        failures.record(requestId, error);
      },
      shouldStop: () => failures.nothingAnswers(threads),
    });
    failures.flush();
    const unreachable = failures.nothingAnswers(1);
    if (unreachable) {
      process.stderr.write(`rec-client: ${notAnsweringMessage((flags.connect as string | undefined) ?? '127.0.0.1:9393', transport.mode, failures.unreachable!)}\n`);
      return 1;
    }
    const summary = formatRunSummary({ mode: transport.mode, batchSize, threads, result, batches, scores });
    process.stdout.write(flags.json === true ? `${JSON.stringify(summary.json)}\n` : `${summary.text}\n`);
    return result.failures.size === 0 ? 0 : 1;
  } finally {
    transport.close();
  }
}

const NO_SCORES = new Float64Array(0);

/** `data` as numbers into `scores[batch]`, reusing that batch's array while the count holds. */
function keepScores(scores: Float64Array[], batch: number, data: ArrayLike<number | bigint> | undefined): void {
  if (data === undefined || data.length === 0) {
    scores[batch] = NO_SCORES;
    return;
  }
  let kept = scores[batch];
  if (kept.length !== data.length) kept = scores[batch] = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) kept[i] = Number(data[i]);
}

runMain('rec-client', main, { failureCode: 2, helpHint: 'run rec-client --help for the flags' });
