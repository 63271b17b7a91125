/**
 * The fuzz run's verdict and its Markdown. `fuzzVerdict` applies the fuzz targets (no crash,
 * no hang, no new failure, every probe answered, no failed concurrent call, RSS after at most 10%
 * above the warm baseline (the target is against bloat: a smaller RSS passes), p99 of the
 * concurrent valid calls below 50 ms) and says which held;
 * `fuzzMarkdown` renders the counts per kind and outcome, the failures and the figures.
 */
import { KNOWN_FAILURES } from '../../test/helpers/fuzz/known-failures';
import type { FuzzReport } from '../../test/helpers/fuzz/runner';
import { machineMarkdown, type MachineInfo } from './machine-info';

export interface FuzzVerdict {
  readonly pass: boolean;
  readonly lines: string[];
}

const RSS_TOLERANCE = 0.1;
const P99_TARGET_MS = 50;

export function fuzzVerdict(report: FuzzReport): FuzzVerdict {
  const newFailures = report.failures.filter((f) => !f.known);
  const rssRatio = report.rssAfterKb / report.rssBeforeKb;
  const checks: Array<[boolean, string]> = [
    [!report.crashed, `crashes ${report.crashed ? 1 : 0}`],
    [report.hangs === 0, `hangs ${report.hangs}`],
    [newFailures.length === 0, `new failures ${newFailures.length} (known ${report.failures.length - newFailures.length})`],
    [report.probeFailures.length === 0, `probe failures ${report.probeFailures.length} of ${report.probeRounds} rounds x 4 protocols`],
    [report.latency.errors.length === 0, `failed concurrent valid calls ${report.latency.errors.length}`],
    [rssRatio <= 1 + RSS_TOLERANCE, `RSS after / before ${rssRatio.toFixed(3)} (target at most ${1 + RSS_TOLERANCE}: back within ${RSS_TOLERANCE * 100}% of the baseline, no bloat)`],
    [report.latency.p99Ms < P99_TARGET_MS, `p99 of concurrent valid calls ${report.latency.p99Ms.toFixed(2)} ms (target < ${P99_TARGET_MS} ms)`],
  ];
  return { pass: checks.every(([ok]) => ok), lines: checks.map(([ok, line]) => `${ok ? 'ok' : 'FAIL'}: ${line}`) };
}

const mib = (kb: number) => (kb / 1024).toFixed(1);

export function fuzzMarkdown(report: FuzzReport, settings: Record<string, unknown>, verdict: FuzzVerdict, machine: MachineInfo): string {
  const outcomes = [...new Set([...report.counts.values()].flatMap((m) => [...m.keys()]))].sort();
  const totals = new Map<string, number>();
  for (const m of report.counts.values()) for (const [label, n] of m) totals.set(label, (totals.get(label) ?? 0) + n);
  const kindRows = [...report.counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, m]) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return `| ${kind} | ${total} | ${[...m].sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => `${label}: ${n}`).join(', ')} |`;
  });
  const knownRows = KNOWN_FAILURES.map((k) => {
    const hits = report.failures.filter((f) => f.known && k.kinds.test(f.kind));
    return `| ${k.id} | ${hits.length} | ${hits.slice(0, 3).map((f) => `#${f.index} ${f.kind} → ${f.outcome}`).join('; ')} | ${k.expected} | ${k.actual} |`;
  });
  const newFailures = report.failures.filter((f) => !f.known);
  return [
    '# Fuzz run',
    '',
    `Seed ${report.seed}: ${report.casesRun} hostile cases over gRPC, HTTP/1.1, baidu_std and the protocol sniffer in ${(report.durationMs / 1000).toFixed(0)} s (rebuild any case with \`generateCase(seed, index)\` from test/helpers/fuzz/cases.ts).`,
    '',
    `**Verdict: ${verdict.pass ? 'PASS' : 'FAIL'}**`,
    '',
    ...verdict.lines.map((line) => `- ${line}`),
    '',
    '## Figures',
    '',
    '| figure | value |',
    '|---|---|',
    `| cases | ${report.casesRun} (${report.counts.size} kinds) |`,
    `| crashes / hangs | ${report.crashed ? 1 : 0} / ${report.hangs} |`,
    `| failing cases: new / known | ${newFailures.length} / ${report.failures.length - newFailures.length} |`,
    `| probe rounds (valid request on each of 4 protocols) / failures | ${report.probeRounds} / ${report.probeFailures.length} |`,
    `| RSS cold (after start-up and 1 s of valid calls) | ${mib(report.rssColdKb)} MiB |`,
    `| RSS before (warm baseline, after the warm-up cases) | ${mib(report.rssBeforeKb)} MiB |`,
    `| RSS after (the run, then 3 s idle) | ${mib(report.rssAfterKb)} MiB (${((report.rssAfterKb / report.rssBeforeKb - 1) * 100).toFixed(1)}%) |`,
    `| concurrent valid calls (1-row Predict) | ${report.latency.count}, ${report.latency.errors.length} failed |`,
    `| their latency p50 / p99 / max | ${report.latency.p50Ms.toFixed(2)} / ${report.latency.p99Ms.toFixed(2)} / ${report.latency.maxMs.toFixed(2)} ms |`,
    '',
    '## Outcomes, all kinds',
    '',
    '| outcome | cases |',
    '|---|---|',
    ...outcomes.map((label) => `| ${label} | ${totals.get(label)} |`),
    '',
    '`closed`: the server closed the connection or reset the stream without an answer; `client-reset`: the case reset its own call; `hang`: neither within the case timeout.',
    '',
    '## Per case kind',
    '',
    '| kind | cases | outcomes |',
    '|---|---|---|',
    ...kindRows,
    '',
    '## Known server bugs (test/helpers/fuzz/known-failures.ts)',
    '',
    '| id | cases | first cases | expected | actual |',
    '|---|---|---|---|---|',
    ...knownRows,
    '',
    '## New failures',
    '',
    ...(newFailures.length === 0 ? ['None.'] : newFailures.slice(0, 50).map((f) => `- seed ${f.seed} case ${f.index} ${f.kind}: ${f.outcome} (${f.why})`)),
    ...(report.probeFailures.length === 0 ? [] : ['', '## Probe failures', '', ...report.probeFailures.slice(0, 50).map((p) => `- ${p}`)]),
    '',
    '## Settings',
    '',
    '```json',
    JSON.stringify(settings, null, 2),
    '```',
    '',
    machineMarkdown(machine),
    '',
  ].join('\n');
}
