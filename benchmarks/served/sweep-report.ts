/**
 * Reports of the served sweep: a markdown table per (server variant, client mode, batch size),
 * a CSV with every figure, perf_analyzer-format CSVs (its 13 columns first, in its units, µs;
 * our identifying columns appended, as perf_analyzer's verbose CSV appends its own), and the
 * latency-vs-throughput SVG chart.
 *
 * Contract: pure. perf_analyzer column mapping: Client Send and Client Recv are not split by our
 * client, so they are left empty and the whole client-side share (client latency − server
 * handler time) is in "Network+Server Send/Recv" together with the server's time outside queue
 * and compute; Server Compute Input/Output are left empty (not measured apart: ONNX Runtime's run
 * is one step), Compute Infer = compute.
 */
import { csvTable, fixed, markdownTable, type Cell } from '../lib/table-format';
import { renderLineChart, type ChartSeries } from '../lib/svg-chart';
import type { SweepRow } from './run-sweep';

export const PERF_ANALYZER_COLUMNS = [
  'Inferences/Second', 'Client Send', 'Network+Server Send/Recv', 'Server Queue', 'Server Compute Input', 'Server Compute Infer',
  'Server Compute Output', 'Client Recv', 'p50 latency', 'p90 latency', 'p95 latency', 'p99 latency',
];

const loadCell = (r: SweepRow) => (r.load.kind === 'concurrency' ? r.load.concurrency : Number(r.load.requestsPerSecond.toFixed(1)));
const failuresText = (r: SweepRow) => Object.entries(r.failures).map(([code, n]) => `${code}×${n}`).join(' ') || '0';
/** Microseconds, or empty when never measured (NaN). */
const us = (v: number): number | '' => (Number.isFinite(v) ? Math.round(v) : '');

export function perfAnalyzerCsv(rows: readonly SweepRow[], kind: 'concurrency' | 'rate'): string {
  const header = [kind === 'concurrency' ? 'Concurrency' : 'Request Rate', ...PERF_ANALYZER_COLUMNS, 'Server Variant', 'Client Mode', 'Batch Size', 'Stable'];
  const body = rows.filter((r) => r.load.kind === kind).map((r): Cell[] => [
    loadCell(r), r.rowsPerSecond.toFixed(1), '', us(r.clientSendRecvMicros + (Number.isFinite(r.serverOtherMicros) ? r.serverOtherMicros : 0)), us(r.serverQueueMicros), '', us(r.serverComputeMicros), '', '',
    us(r.latency.p50Micros), us(r.latency.p90Micros), us(r.latency.p95Micros), us(r.latency.p99Micros), r.variant, r.mode, r.batchSize, r.stable ? 'yes' : 'no',
  ]);
  return csvTable(header, body);
}

export const SWEEP_HEADER = [
  'server', 'client mode', 'batch', 'load', 'level', 'stable', 'windows', 'rows/s', 'requests/s', 'avg µs', 'p50 µs', 'p90 µs', 'p95 µs', 'p99 µs',
  'client send/recv µs', 'server handler µs', 'server queue µs', 'server compute µs', 'server other µs', 'avg executed batch rows', 'failures', 'dropped arrivals',
];

function sweepCells(r: SweepRow): Cell[] {
  return [
    r.variant, r.mode, r.batchSize, r.load.kind === 'concurrency' ? 'closed loop' : 'open loop (Poisson)', r.load.kind === 'concurrency' ? `${r.load.concurrency} in flight` : `${r.load.requestsPerSecond.toFixed(0)} req/s`,
    r.stable ? 'yes' : 'no', r.windowsMeasured, fixed(r.rowsPerSecond, 0), fixed(r.requestsPerSecond, 0), fixed(r.latency.meanMicros, 0), fixed(r.latency.p50Micros, 0), fixed(r.latency.p90Micros, 0),
    fixed(r.latency.p95Micros, 0), fixed(r.latency.p99Micros, 0), fixed(r.clientSendRecvMicros, 0), fixed(r.serverMicros, 0), fixed(r.serverQueueMicros, 0), fixed(r.serverComputeMicros, 0),
    fixed(r.serverOtherMicros, 0), fixed(r.averageBatchRows, 1), failuresText(r), r.droppedArrivals,
  ];
}

export function sweepCsv(rows: readonly SweepRow[]): string {
  return csvTable(SWEEP_HEADER, rows.map(sweepCells));
}

export function sweepMarkdown(rows: readonly SweepRow[]): string {
  const groups = new Map<string, SweepRow[]>();
  for (const r of rows) {
    const key = `${r.variant} · client ${r.mode} · batch ${r.batchSize}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const header = SWEEP_HEADER.slice(3);
  return [...groups].map(([key, group]) => `### ${key}\n\n${markdownTable(header, group.map((r) => sweepCells(r).slice(3)))}`).join('\n\n');
}

/** 12 colours distinguishable from each other (Paul Tol's muted and bright schemes). */
const SERIES_COLORS = ['#332288', '#117733', '#44aa99', '#88ccee', '#ddcc77', '#cc6677', '#aa4499', '#882255', '#4477aa', '#ee6677', '#228833', '#ccbb44'];
/** Solid for the first variant (batching on), dashed and dotted for the next ones. */
const VARIANT_DASHES = [undefined, '7 4', '2 3'];

export function latencyThroughputSvg(rows: readonly SweepRow[], boundMicros: number, title: string): string {
  // One colour per (batch size, client mode), one dash pattern per server variant (batching on /
  // off), so the two variants of a group are told apart at a glance; each point is tagged "cN".
  const series = new Map<string, { key: string; variant: string; points: ChartSeries['points'][number][] }>();
  for (const r of rows) {
    if (r.load.kind !== 'concurrency' || r.latency.count === 0) continue;
    const name = `batch ${r.batchSize}, ${r.mode}, ${r.variant}`;
    const entry = series.get(name) ?? { key: `${r.batchSize}\n${r.mode}`, variant: r.variant, points: [] };
    entry.points.push({ x: r.rowsPerSecond, y: r.latency.p99Micros / 1000, label: `${r.load.concurrency} in flight`, tag: `c${r.load.concurrency}` });
    series.set(name, entry);
  }
  const keys = [...new Set([...series.values()].map((s) => s.key))];
  const variants = [...new Set([...series.values()].map((s) => s.variant))];
  return renderLineChart({
    title,
    xLabel: 'throughput, rows/s (closed loop, one point per concurrency level cN; log scale)',
    yLabel: 'p99 latency, ms (log scale)',
    series: [...series].map(([name, s]) => ({ name, points: s.points, color: SERIES_COLORS[keys.indexOf(s.key) % SERIES_COLORS.length], dash: VARIANT_DASHES[variants.indexOf(s.variant) % VARIANT_DASHES.length] })),
    yReference: { value: boundMicros / 1000, label: `p99 bound ${boundMicros / 1000} ms` },
    logScale: true,
  });
}
