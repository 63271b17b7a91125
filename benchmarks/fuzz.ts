#!/usr/bin/env node
/**
 * The long fuzz run: rec-serve in its own process with the fuzz suite's low limits and 500 ms
 * timeouts, `--cases` seeded hostile cases over gRPC, HTTP/1.1, baidu_std and the protocol
 * sniffer (test/helpers/fuzz/), `--concurrency` at a time, with small valid Predict calls running
 * alongside and a valid request on every protocol checked every `--probe_every` cases.
 *
 * Writes benchmarks/results/fuzz.md and fuzz.json: counts per case kind and outcome, crashes,
 * hangs, failures (new and known), RSS before/after, latency of the concurrent valid calls.
 * Exits 1 unless: no crash, no hang, no new failure, every probe answered, RSS after at most 10%
 * above the warm baseline, p99 of the concurrent valid calls below 50 ms.
 *
 *   npx tsc -p . && node dist/benchmarks/fuzz.js [--cases 20000] [--seed 1] [--concurrency 8] [--model serving_server]
 */
import * as path from 'node:path';
import { runMain } from '../src/cli/run-main';
import { parseFlagsOrHelp } from '../src/config/parse-flags';
import { REPO_ROOT } from '../src/paths/repo-root';
import { FUZZ_SERVER_FLAGS } from '../test/helpers/fuzz/cases';
import { startFuzzServer } from '../test/helpers/fuzz/fuzz-server';
import { knownFailure } from '../test/helpers/fuzz/known-failures';
import { runFuzz } from '../test/helpers/fuzz/runner';
import { describeMachine } from './lib/machine-info';
import { createProgress } from './lib/progress';
import { writeResults } from './lib/results-writer';
import { RUN_FOLDER_FLAGS, publishRun, runFolder } from './lib/run-folder';
import { fuzzMarkdown, fuzzVerdict } from './lib/fuzz-report';

async function main(): Promise<number> {
  const flags = parseFlagsOrHelp(process.argv.slice(2), 'usage: node dist/benchmarks/fuzz.js [flags]', {
    cases: { kind: 'integer', help: 'hostile cases to send', defaultText: '20000' },
    seed: { kind: 'integer', help: 'seed of the case generator', defaultText: 'from the clock, printed' },
    concurrency: { kind: 'integer', help: 'hostile cases in flight at once', defaultText: '8' },
    probe_every: { kind: 'integer', help: 'check a valid request on every protocol after this many cases', defaultText: '100' },
    callers: { kind: 'integer', help: 'concurrent small valid calls (closed loop)', defaultText: '2' },
    warmup_cases: { kind: 'integer', help: 'cases (another seed, not counted) before the RSS baseline', defaultText: '1000' },
    model: { kind: 'string', help: 'model directory', defaultText: 'serving_server' },
    ...RUN_FOLDER_FLAGS,
    note: { kind: 'string', help: 'caveat written into the results', defaultText: 'machine shared with other jobs' },
  });
  if (flags === undefined) return 0;
  const cases = (flags.cases as number | undefined) ?? 20_000;
  const seed = (flags.seed as number | undefined) ?? (Date.now() % 1_000_000_007);
  const concurrency = (flags.concurrency as number | undefined) ?? 8;
  const probeEvery = (flags.probe_every as number | undefined) ?? 100;
  const callers = (flags.callers as number | undefined) ?? 2;
  const warmupCases = (flags.warmup_cases as number | undefined) ?? 1000;
  const modelDir = path.resolve(REPO_ROOT, (flags.model as string | undefined) ?? 'serving_server');
  const outDir = runFolder(flags.out_dir as string | undefined, 'fuzz');
  const machine = describeMachine((flags.note as string | undefined) ?? 'machine shared with other jobs');
  const progress = createProgress('fuzz');

  progress(`seed ${seed}, ${cases} cases, concurrency ${concurrency}, model ${modelDir}`);
  const server = await startFuzzServer(modelDir);
  let report;
  try {
    report = await runFuzz({
      port: server.port, pid: server.pid, seed, cases, concurrency, probeEvery, latencyCallers: callers, warmupCases, settleMs: 3000,
      known: (c) => knownFailure(c) !== undefined,
      onProgress: (done) => { if (done % 1000 === 0) progress(`${done} cases`); },
    });
  } finally {
    await server.process.stop();
  }
  const settings = { seed, cases, concurrency, probeEvery, callers, warmupCases, model: path.relative(REPO_ROOT, modelDir) || '.', serverFlags: FUZZ_SERVER_FLAGS };
  const verdict = fuzzVerdict(report);
  const counts = Object.fromEntries([...report.counts].sort().map(([kind, byOutcome]) => [kind, Object.fromEntries(byOutcome)]));
  const files = await writeResults(outDir, 'fuzz', fuzzMarkdown(report, settings, verdict, machine), undefined, { machine, settings, verdict, ...report, counts });
  const published = flags.publish === true ? await publishRun(outDir, flags.publish_dir as string | undefined) : [];
  progress(`${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.lines.join('; ')}; wrote ${files.join(', ')}${published.length > 0 ? `; published ${published.length} file(s) to ${flags.publish_dir ?? 'benchmarks/results'}` : ''}`);
  return verdict.pass ? 0 : 1;
}

runMain('fuzz', main);
