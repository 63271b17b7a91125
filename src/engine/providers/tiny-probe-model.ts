/**
 * The model every provider probe runs: TF Serving's "half_plus_two", y = 0.5 x + 2 on float32
 * [batch,1] (input "x", output "y"). Small enough to load in milliseconds, yet it makes the
 * provider create a session, allocate on its device, run two kernels and copy back.
 *
 * Contract: `halfPlusTwoBytes()` returns the same bytes on every call; `writeProbeModel(dir)`
 * writes them to `<dir>/half_plus_two.onnx` and returns the path. `PROBE_INPUT` and
 * `expectedProbeOutput` let the probe check the numbers, not only that run() returned.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxGraphBuilder } from '../../model/onnx/onnx-graph-builder';

export const PROBE_INPUT_NAME = 'x';
export const PROBE_OUTPUT_NAME = 'y';
/** Four rows; values chosen so every result is exact in fp32. */
export const PROBE_INPUT: readonly number[] = Object.freeze([0, 1, -4, 1024]);

export function expectedProbeOutput(input: readonly number[] = PROBE_INPUT): number[] {
  return input.map((x) => 0.5 * x + 2);
}

function halfPlusTwoBytes(): Uint8Array {
  const g = OnnxGraphBuilder.create({ graphName: 'half_plus_two' });
  const x = g.addInput(PROBE_INPUT_NAME, 'float32', ['batch', 1]);
  const half = g.addFloats('a', [1], [0.5]);
  const two = g.addFloats('b', [1], [2]);
  g.op('Add', [g.op('Mul', [x, half]), two], {}, PROBE_OUTPUT_NAME);
  g.addOutput(PROBE_OUTPUT_NAME, 'float32', ['batch', 1]);
  return g.toBytes({ producerName: 'rec-serving-provider-probe' });
}

export function writeProbeModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'half_plus_two.onnx');
  writeFileSync(path, halfPlusTwoBytes());
  return path;
}
