/**
 * Turns the naive-versus-rec-serve measurements into ratios, the criteria checklist and the
 * markdown report.
 *
 * Contract: pure. Every ratio is rec-serve / naive from the same run (pooled over the rounds;
 * the per-round ratios pair the rounds one to one). A criterion is met or not by its computed
 * ratio against its bound; a ratio that cannot be computed (no naive figure) is NaN and unmet.
 */
import { machineMarkdown, type MachineInfo } from '../lib/machine-info';
import { fixed, markdownTable, type Cell } from '../lib/table-format';
import type { SeriesLoadResult } from './measure-versus';
import { LOADS, NAIVE_SERIES_KEY, SERIES, type LoadKey } from './series';

export type Metric = 'p50' | 'p99' | 'rows/s';

export interface Criterion {
  readonly series: string;
  readonly load: LoadKey;
  readonly metric: Metric;
  /** `max`: the ratio must not exceed `ratio` (latency); `min`: it must reach it (throughput). */
  readonly bound: 'max' | 'min';
  readonly ratio: number;
  /** The series the ratio is taken against; default the naive baseline. */
  readonly against?: string;
}

const REC_KEYS = SERIES.filter((s) => s.server === 'rec-serve').map((s) => s.key);

export const CRITERIA: readonly Criterion[] = [
  { series: 'grpc', load: 'b5x1', metric: 'p50', bound: 'max', ratio: 0.8 },
  { series: 'grpc', load: 'b5x1', metric: 'p99', bound: 'max', ratio: 1 },
  { series: 'paddle-grpc', load: 'b5x1', metric: 'p50', bound: 'max', ratio: 0.8 },
  { series: 'paddle-grpc', load: 'b5x1', metric: 'p99', bound: 'max', ratio: 1 },
  { series: 'baidu_std', load: 'b5x1', metric: 'p50', bound: 'max', ratio: 0.6 },
  { series: 'kserve-grpc', load: 'b5x1', metric: 'p50', bound: 'max', ratio: 1.1, against: 'grpc' },
  ...REC_KEYS.map((series): Criterion => ({ series, load: 'b5x16', metric: 'rows/s', bound: 'min', ratio: 2 })),
  ...REC_KEYS.map((series): Criterion => ({ series, load: 'b2048x1', metric: 'rows/s', bound: 'min', ratio: 1.5 })),
];

export interface CriterionResult extends Criterion {
  readonly measured: number;
  readonly naive: number;
  readonly measuredRatio: number;
  readonly met: boolean;
}

export interface VersusConfig {
  readonly rounds: number;
  readonly requestsPerRound: Readonly<Record<LoadKey, number>>;
  readonly warmup: Readonly<Record<LoadKey, number>>;
  readonly serveArgs: readonly string[];
  readonly naiveCommand: string;
  readonly recServeCommand: string;
  /** The HTTP/2 floor (replay-server.ts); absent in runs before it existed. */
  readonly floorCommand?: string;
}

export interface VersusReport {
  readonly results: readonly SeriesLoadResult[];
  readonly criteria: readonly CriterionResult[];
}

function find(results: readonly SeriesLoadResult[], series: string, load: LoadKey): SeriesLoadResult | undefined {
  return results.find((r) => r.series === series && r.load === load);
}

function metricOf(result: SeriesLoadResult | undefined, metric: Metric): number {
  if (result === undefined) return Number.NaN;
  return metric === 'p50' ? result.latency.p50Micros : metric === 'p99' ? result.latency.p99Micros : result.rowsPerSecond;
}

function roundMetric(result: SeriesLoadResult | undefined, metric: Metric): number[] {
  return (result?.rounds ?? []).map((r) => (metric === 'p50' ? r.p50Micros : metric === 'p99' ? r.p99Micros : r.rowsPerSecond));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** rec-serve / naive for one series, load and metric, pooled over the rounds. */
export function ratioToNaive(results: readonly SeriesLoadResult[], series: string, load: LoadKey, metric: Metric): number {
  const naive = metricOf(find(results, NAIVE_SERIES_KEY, load), metric);
  return naive > 0 ? metricOf(find(results, series, load), metric) / naive : Number.NaN;
}

/** rec-serve / naive per round (round r of one against round r of the other). */
export function roundRatios(results: readonly SeriesLoadResult[], series: string, load: LoadKey, metric: Metric): number[] {
  const naive = roundMetric(find(results, NAIVE_SERIES_KEY, load), metric);
  return roundMetric(find(results, series, load), metric).map((v, i) => (naive[i] > 0 ? v / naive[i] : Number.NaN));
}

export function buildVersusReport(results: readonly SeriesLoadResult[]): VersusReport {
  const criteria = CRITERIA.map((c): CriterionResult => {
    const measured = metricOf(find(results, c.series, c.load), c.metric);
    const naive = metricOf(find(results, c.against ?? NAIVE_SERIES_KEY, c.load), c.metric);
    const measuredRatio = naive > 0 ? measured / naive : Number.NaN;
    const met = Number.isFinite(measuredRatio) && (c.bound === 'max' ? measuredRatio <= c.ratio : measuredRatio >= c.ratio);
    return { ...c, measured, naive, measuredRatio, met };
  });
  return { results, criteria };
}

const seriesName = (key: string) => SERIES.find((s) => s.key === key)?.name ?? key;
const loadTitle = (key: LoadKey) => LOADS.find((l) => l.key === key)?.title ?? key;
const kRows = (v: number) => `${fixed(v / 1000, 1)} k`;
const perRound = (values: readonly number[], format: (v: number) => string) => (values.length === 0 ? '-' : `${values.map(format).join(', ')} (median ${format(median(values))})`);
const us = (v: number) => fixed(v, 0);
const x = (v: number) => `${fixed(v, 2)}×`;

function criterionLine(c: CriterionResult): string {
  const unit = c.metric === 'rows/s' ? kRows : (v: number) => `${us(v)} µs`;
  const op = c.bound === 'max' ? '≤' : '≥';
  const base = c.against === undefined ? 'naive' : seriesName(c.against);
  return `- [${c.met ? 'x' : ' '}] ${seriesName(c.series)}, ${loadTitle(c.load)}: ${c.metric} ${op} ${c.ratio}× ${base} — measured ${unit(c.measured)} vs ${base} ${unit(c.naive)} = **${x(c.measuredRatio)}**`;
}

function loadTable(results: readonly SeriesLoadResult[], load: LoadKey): string {
  const rows = SERIES.map((s) => ({ s, r: find(results, s.key, load) })).filter(({ r }) => r !== undefined).map(({ s, r }): Cell[] => {
    const rec = s.key !== NAIVE_SERIES_KEY;
    const ratio = (m: Metric) => (rec ? x(ratioToNaive(results, s.key, load, m)) : '1 (baseline)');
    const ratios = (m: Metric) => (rec ? perRound(roundRatios(results, s.key, load, m), (v) => fixed(v, 2)) : '-');
    const l = r!.latency;
    if (load === 'b5x1') {
      return [s.name, l.count, us(l.p50Micros), us(l.p90Micros), us(l.p99Micros), fixed(r!.callsPerSecond, 0), ratio('p50'), ratio('p99'), perRound(roundMetric(r, 'p50'), us), ratios('p50')];
    }
    const common = [s.name, l.count, kRows(r!.rowsPerSecond), us(l.p50Micros)];
    const tail = [ratio('rows/s'), perRound(roundMetric(r, 'rows/s'), kRows), ratios('rows/s')];
    return load === 'b5x16' ? [...common, us(l.p99Micros), ...tail] : [...common, ...tail];
  });
  const header = load === 'b5x1'
    ? ['series', 'calls', 'p50 µs', 'p90 µs', 'p99 µs', 'calls/s', 'p50 / naive', 'p99 / naive', 'p50 µs per round', 'p50 / naive per round']
    : load === 'b5x16'
      ? ['series', 'calls', 'rows/s', 'p50 µs', 'p99 µs', 'rows/s / naive', 'rows/s per round', 'rows/s / naive per round']
      : ['series', 'calls', 'rows/s', 'p50 µs', 'rows/s / naive', 'rows/s per round', 'rows/s / naive per round'];
  return markdownTable(header, rows);
}

function failureLines(results: readonly SeriesLoadResult[]): string[] {
  const failed = results.filter((r) => Object.keys(r.failures).length > 0);
  if (failed.length === 0) return [];
  return ['', '**Failed calls** (not in the figures):', ...failed.map((r) => `- ${seriesName(r.series)}, ${loadTitle(r.load)}: ${JSON.stringify(r.failures)}`)];
}

export function versusMarkdown(report: VersusReport, machine: MachineInfo, config: VersusConfig): string {
  const met = report.criteria.filter((c) => c.met).length;
  return [
    '# rec-serve against a naive server',
    '',
    'The naive server (`benchmarks/naive/naive-server.ts`) is @grpc/grpc-js + @grpc/proto-loader on Paddle\'s ' +
      '`GeneralModelService/inference`, one ONNX Runtime session (1 intra-op thread) run on its main thread, no validation, ' +
      'workers or batching. Both servers run as separate processes on the same model file; the same client (rec-client\'s ' +
      `transports and closed-loop runner, in this process) drives every series. Rounds are interleaved (${config.rounds} rounds; ` +
      'in each, every load for every series in turn, the series order rotated each round). Latency is the client round trip; ' +
      'ratios are rec-serve / naive from this run, pooled over the rounds, and per round.',
    '',
    machineMarkdown(machine),
    `- Timed calls per series per round: ${LOADS.map((l) => `${l.title} ${config.requestsPerRound[l.key]}`).join('; ')}; warm-up calls per series first: ${LOADS.map((l) => `${l.title} ${config.warmup[l.key]}`).join('; ')}`,
    `- rec-serve: \`${config.recServeCommand}\``,
    `- naive: \`${config.naiveCommand}\``,
    ...(config.floorCommand === undefined ? [] : [
      `- floor: \`${config.floorCommand}\` (forwards the first call of each method and request size to rec-serve and replays that answer to every later one: ` +
        'what this client and host reach over HTTP/2 when the server does no work at all; not in the criteria)',
    ]),
    '',
    `## Criteria (computed from this run: ${met} of ${report.criteria.length} met)`,
    '',
    ...report.criteria.map(criterionLine),
    ...LOADS.flatMap((l) => (report.results.some((r) => r.load === l.key) ? ['', `## ${l.title}`, '', loadTable(report.results, l.key)] : [])),
    ...failureLines(report.results),
    '',
  ].join('\n');
}
