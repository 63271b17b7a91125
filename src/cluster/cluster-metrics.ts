/**
 * Metrics of a multi-process server (`rec-serve --processes N`): every process keeps its own
 * prom-client registry; the primary's metrics port answers with their aggregate (prom-client's
 * AggregatorRegistry: counters, histograms and gauges such as pending requests are summed over
 * the processes), so Prometheus scrapes one target and sees one server. One series is kept per
 * process instead of summed: `ctr_process_requests_total{process}` (finished calls of every
 * protocol by process index 0..N-1), which shows how connections spread over the processes.
 *
 * Contract: in a cluster worker `shareWithPrimary(registry)` answers the primary's metric
 * requests from `registry` and returns the per-process call counter to feed with every finished
 * call; outside a cluster it returns undefined and changes nothing. `processIndex()` is this
 * process's index (set by the primary in REC_SERVING_PROCESS_INDEX), undefined outside a cluster.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, type Registry } from 'prom-client';

export const PROCESS_INDEX_ENV = 'REC_SERVING_PROCESS_INDEX';

function processIndex(): string | undefined {
  // Only a process forked by rec-serve's primary: a server embedded in another program's cluster worker keeps its own metrics port.
  return cluster.isWorker ? process.env[PROCESS_INDEX_ENV] : undefined;
}

export function shareWithPrimary(registry: Registry): (() => void) | undefined {
  const index = processIndex();
  if (index === undefined) return undefined;
  // The constructor installs the worker's listener for the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const counter = new Counter({ name: 'ctr_process_requests_total', help: 'Finished calls (every protocol and outcome) by serving process index (rec-serve --processes)', labelNames: ['process'], registers: [registry] });
  const series = counter.labels(index);
  return () => series.inc();
}
