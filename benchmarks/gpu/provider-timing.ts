/**
 * In-process side-by-side of execution providers on the same model and the same inputs: the
 * GPU-vs-CPU accuracy check (max relative error of the outputs) and per-run latency at given
 * batch sizes (per-sample µs, p50/p99 per run). No RPC; one ONNX Runtime session per provider.
 *
 * Contract: `compareProviders` creates every session first (a provider that fails to create is
 * reported with its error, not thrown), runs identical seeded random feeds through each, and
 * measures the providers interleaved run by run, so machine noise hits all of them alike.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { ModelSignature } from '../../src/core/model-signature';
import { LatencyHistogram } from '../../src/client/latency-histogram';
import { SeededRandom } from '../../src/data/seeded-random';

export interface ProviderUnderTest {
  readonly label: string; // e.g. "cuda:0"
  readonly executionProviders: ort.InferenceSession.SessionOptions['executionProviders'];
}

export interface TimingRow {
  readonly provider: string;
  readonly batchSize: number;
  readonly runs: number;
  readonly perSampleMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  /** max |y - y_cpu| / max(|y_cpu|, 1e-6) over the batch; undefined for the CPU itself. */
  readonly maxRelativeError?: number;
}

export interface ComparisonResult {
  readonly rows: TimingRow[];
  readonly failures: Array<{ provider: string; error: string }>;
}

function randomFeeds(signature: ModelSignature, rows: number, seed: number): Record<string, ort.Tensor> {
  const rng = SeededRandom.create(seed, 'gpu-bench');
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of signature.inputs) {
    const width = spec.shape.reduce((a, b) => a * Math.max(1, b), 1);
    const dims = [rows, ...spec.shape.map((d) => Math.max(1, d))];
    if (spec.dtype === 'int64') {
      const min = Number(spec.idRange?.min ?? 0n);
      const max = Number(spec.idRange?.max ?? 999n);
      const data = BigInt64Array.from({ length: rows * width }, () => BigInt(min + Math.floor(rng.nextOpenUnit() * (max - min + 1))));
      feeds[spec.name] = new ort.Tensor('int64', data, dims);
    } else {
      feeds[spec.name] = new ort.Tensor('float32', Float32Array.from({ length: rows * width }, () => 2 * rng.nextOpenUnit()), dims);
    }
  }
  return feeds;
}

export async function compareProviders(options: {
  modelPath: string;
  signature: ModelSignature;
  providers: readonly ProviderUnderTest[]; // the first is the reference (cpu)
  batchSizes: readonly number[];
  runsPerBatch: (batchSize: number) => number;
  intraOpThreads: number;
  progress: (line: string) => void;
}): Promise<ComparisonResult> {
  const sessions: Array<{ label: string; session: ort.InferenceSession }> = [];
  const failures: ComparisonResult['failures'] = [];
  for (const p of options.providers) {
    try {
      const session = await ort.InferenceSession.create(options.modelPath, { executionProviders: p.executionProviders, intraOpNumThreads: options.intraOpThreads, logSeverityLevel: 3 });
      sessions.push({ label: p.label, session });
    } catch (error) {
      failures.push({ provider: p.label, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const output = options.signature.outputs[0].name;
  const rows: TimingRow[] = [];
  for (const batchSize of options.batchSizes) {
    const feeds = randomFeeds(options.signature, batchSize, batchSize);
    const reference = (await sessions[0].session.run(feeds))[output].data as Float32Array;
    const errors = new Map<string, number>();
    for (const { label, session } of sessions.slice(1)) {
      const y = (await session.run(feeds))[output].data as Float32Array;
      let worst = 0;
      for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - reference[i]) / Math.max(Math.abs(reference[i]), 1e-6));
      errors.set(label, worst);
    }
    const runs = options.runsPerBatch(batchSize);
    const samples = new Map<string, LatencyHistogram>(sessions.map((s) => [s.label, new LatencyHistogram()]));
    for (let warm = 0; warm < 5; warm++) for (const { session } of sessions) await session.run(feeds);
    for (let i = 0; i < runs; i++) {
      for (const { label, session } of sessions) {
        const begin = performance.now();
        await session.run(feeds);
        samples.get(label)!.record((performance.now() - begin) * 1000);
      }
    }
    for (const { label } of sessions) {
      const s = samples.get(label)!.summary();
      rows.push({ provider: label, batchSize, runs, perSampleMicros: s.meanMicros / batchSize, p50Micros: s.p50Micros, p99Micros: s.p99Micros, maxRelativeError: errors.get(label) });
    }
    options.progress(`batch ${batchSize}: ${rows.filter((r) => r.batchSize === batchSize).map((r) => `${r.provider} ${r.perSampleMicros.toFixed(2)} µs/sample`).join(', ')}`);
  }
  for (const { session } of sessions) await session.release();
  return { rows, failures };
}
