/**
 * Counters and histograms cheap enough for the request path: each labelled series is a plain
 * object updated in place (an addition, or a bucket search over a few bounds), with no label
 * hashing per update; the series are turned into prom-client's metric format only when the
 * registry is read (a scrape, the cluster aggregation, ModelStatistics).
 *
 * Contract: an AccumulatedCounter / AccumulatedHistogram registers itself on the given prom-client
 * Registries and exposes exactly what prom-client's Counter / Histogram would for the same
 * updates (`get()`: `{ name, help, type, values, aggregator: 'sum' }`; histogram buckets are
 * cumulative, `le` inclusive, plus `+Inf`, `_sum` and `_count`). `labels(...)` returns the same
 * series object for the same label values, so callers keep it; `reset()` zeroes every series in
 * place (kept series stay valid). Label values are strings; counters only go up.
 */
import type { Metric, Registry } from 'prom-client';

type Labels<L extends string> = Readonly<Record<L, string>>;

interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

export class CounterSeries {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`a counter only goes up; got ${amount}`);
    this.value += amount;
  }
}

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly labels: Readonly<Record<string, string>>, private readonly upperBounds: readonly number[]) {
    this.counts = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    if (i < bounds.length) this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

abstract class AccumulatedMetric<L extends string, S extends { readonly labels: Readonly<Record<string, string>> }> {
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, S>();

  protected constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly L[], registers: readonly Registry[]) {
    for (const registry of registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values (created at zero on first use). */
  labels(labels: Labels<L>): S {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let series = this.series.get(key);
    if (series === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      series = this.createSeries(own);
      this.series.set(key, series);
    }
    return series;
  }

  protected all(): IterableIterator<S> {
    return this.series.values();
  }

  protected abstract createSeries(labels: Readonly<Record<string, string>>): S;
}

export class AccumulatedCounter<L extends string> extends AccumulatedMetric<L, CounterSeries> {
  readonly type = 'counter' as const;

  constructor(options: { name: string; help: string; labelNames: readonly L[]; registers: readonly Registry[] }) {
    super(options.name, options.help, options.labelNames, options.registers);
  }

  inc(labels: Labels<L>, amount = 1): void {
    this.labels(labels).inc(amount);
  }

  async get(): Promise<MetricSnapshot> {
    const values: MetricValue[] = [];
    for (const series of this.all()) values.push({ labels: { ...series.labels }, value: series.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const series of this.all()) series.value = 0;
  }

  protected createSeries(labels: Readonly<Record<string, string>>): CounterSeries {
    return new CounterSeries(labels);
  }
}

export class AccumulatedHistogram<L extends string> extends AccumulatedMetric<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  private readonly upperBounds: readonly number[];

  constructor(options: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[]; registers: readonly Registry[] }) {
    super(options.name, options.help, options.labelNames, options.registers);
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
  }

  async get(): Promise<MetricSnapshot> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.all()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += series.counts[i];
        values.push({ labels: { le, ...series.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const series of this.all()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  protected createSeries(labels: Readonly<Record<string, string>>): HistogramSeries {
    return new HistogramSeries(labels, this.upperBounds);
  }
}
