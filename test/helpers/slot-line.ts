/**
 * Writes a Criteo record as one PaddleRec slot-format line, the inverse of `parseSlotLine`, for
 * tests that build slot files (the generator writes its lines its own, faster way).
 *
 * Contract: `click` only when the record has a label, every dense value in its shortest float32
 * spelling (`formatFloat32`: `0.0`, `0.0049751243`), and all 26 slots (id 0 included), so that
 * `parseSlotLine(formatSlotLine(r))` reproduces `r` exactly.
 */
import { NUM_DENSE_FEATURES, NUM_SPARSE_SLOTS, type CriteoRecord } from '../../src/data/criteo-record';
import { formatPython2Float, shortestFloat32 } from '../../src/data/float-format';

/** Shortest text that reads back to the same float32, with `.0` on whole numbers (Python's spelling). */
export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return formatPython2Float(f);
  const text = shortestFloat32(f);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** One slot-format line (no trailing newline); see the header. */
export function formatSlotLine(record: CriteoRecord): string {
  const parts: string[] = [];
  if (record.label !== undefined) parts.push(`click:${record.label}`);
  for (let i = 0; i < NUM_DENSE_FEATURES; i++) parts.push(`dense_feature:${formatFloat32(record.dense[i])}`);
  for (let k = 1; k <= NUM_SPARSE_SLOTS; k++) parts.push(`${k}:${record.sparse[k - 1]}`);
  return parts.join(' ');
}
