/**
 * The headline figures of a benchmark run, from the result JSON files: per-sample µs at batch 5
 * and 2048 against Paddle's published figures, the served-vs-in-process overhead at batch 5, and
 * the best rows/s under the p99 bound. This is what the README quotes.
 *
 * Contract: pure; any input may be missing (that part says "not measured"). The full in-process
 * matrix (1.8 M lines) is preferred for the per-sample figures when it exists.
 */
import type { InProcessMatrixResult } from './inprocess-matrix';
import { rowFigures } from './inprocess/matrix-report';
import type { OverheadReport } from './overhead';
import type { SweepRow } from './served/run-sweep';

export interface SummaryInputs {
  readonly matrix?: InProcessMatrixResult;
  readonly matrixFull?: InProcessMatrixResult;
  readonly overhead?: OverheadReport;
  readonly sweep?: { readonly best?: SweepRow; readonly boundMicros: number };
}

function perSampleLine(matrix: InProcessMatrixResult | undefined, batchSize: number): string {
  const result = matrix?.results.find((r) => r.row.provider === 'cpu' && !r.row.mkldnn && r.row.threads === 1 && r.row.batchSize === batchSize);
  if (result === undefined || result.status !== 'measured') return `- batch ${batchSize}, CPU, 1 thread: not measured`;
  const f = rowFigures(result);
  return `- batch ${batchSize}, CPU, 1 thread: **${f.perSampleMicros!.toFixed(1)} µs per sample** over ${result.lines} lines (ONNX Runtime compute alone ${f.computePerSampleMicros!.toFixed(1)} µs) vs Paddle Inference's published ${f.paddlePerSampleMicros!.toFixed(1)} µs (ratio ${f.ratio!.toFixed(2)}×)`;
}

export function buildSummary(inputs: SummaryInputs, mode: string): string {
  const matrix = inputs.matrixFull ?? inputs.matrix;
  const lines = [`# Benchmark summary (${mode} run)`, ''];
  lines.push(`## In-process per-sample time vs Paddle's published matrix${inputs.matrixFull ? ' (full matrix, 1.8 M lines)' : ''}`, '');
  lines.push(perSampleLine(matrix, 5), perSampleLine(matrix, 2048));
  lines.push("- The machines differ: Paddle's figures are from an Intel Xeon Gold 6271C (4 cores used) with a V100; ours from the machine below. Read ratios as orders of magnitude, not as a hardware-equal comparison.", '');
  lines.push('## Served vs in-process at batch 5, one request in flight', '');
  const o = inputs.overhead;
  if (o === undefined) lines.push('- not measured');
  else {
    const inProc = o.measurement.inProcess.find((f) => f.name === 'server default' && f.batchSize === 5)!.latency;
    lines.push(
      `- served p50 ${o.measurement.servedClient.p50Micros} µs / p99 ${o.measurement.servedClient.p99Micros} µs vs in-process p50 ${inProc.p50Micros} µs / p99 ${inProc.p99Micros} µs: **+${o.servedMinusInProcessP50Micros.toFixed(0)} µs at p50** (${o.servedOverInProcessP50.toFixed(1)}×), +${o.servedMinusInProcessP99Micros.toFixed(0)} µs at p99`,
      `- grpc-js echo (transport floor) p50 ${o.measurement.echo.p50Micros} µs; served p50 / (echo p50 + in-process p50) = **${o.ratioP50.toFixed(2)}**`,
    );
  }
  lines.push('', '## Best served throughput under the latency bound', '');
  const s = inputs.sweep;
  if (s === undefined) lines.push('- not measured');
  else if (s.best === undefined) lines.push(`- no level kept p99 ≤ ${s.boundMicros / 1000} ms`);
  else {
    const b = s.best;
    lines.push(`- **${b.rowsPerSecond.toFixed(0)} rows/s with p99 ${(b.latency.p99Micros / 1000).toFixed(2)} ms ≤ ${s.boundMicros / 1000} ms** (${b.variant}, client ${b.mode}, batch ${b.batchSize}, ${b.load.kind === 'concurrency' ? `${b.load.concurrency} in flight` : `${b.load.requestsPerSecond.toFixed(0)} req/s open loop`})`);
  }
  lines.push('');
  return lines.join('\n');
}
