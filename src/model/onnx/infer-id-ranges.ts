/**
 * Infers, for each integer graph input, the inclusive range of ids that index an embedding
 * table without going out of bounds, so the server can reject bad ids before ONNX Runtime sees
 * them (ORT's Gather wraps negative indices silently and fails the whole batch on large ones).
 *
 * Contract: from each integer input, follow consumers through shape-only ops (Identity, Reshape,
 * Squeeze, Unsqueeze, Flatten, Concat, Cast to an integer type) to every Gather with axis 0 that
 * uses the value as its indices and whose data is an initializer with first dim N; the input's
 * range is [0, N-1], intersected over all such Gathers. Inputs that reach no such Gather get no
 * entry. An explicit metadata_props entry `rec_serving.id_range.<input>` = "min:max" replaces
 * the inferred range; a malformed one, or one naming a non-integer or unknown input, throws.
 */
import { toSafeNumber } from './onnx-schema';
import { ONNX_INTEGER_DATA_TYPES } from './onnx-data-type';
import { intAttribute, type DecodedGraph, type DecodedNode } from './decode-onnx-model';

export interface IdRange {
  readonly min: bigint;
  readonly max: bigint;
}

/** Metadata key prefix for explicit id ranges, e.g. `rec_serving.id_range.C1` = "0:1000000". */
export const ID_RANGE_METADATA_PREFIX = 'rec_serving.id_range.';

/** Ops whose first output holds the same id values as their data input (only re-shaped). */
const SHAPE_ONLY_OPS = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Concat', 'Cast']);

/** Ops where only input 0 carries data (the others are shapes/axes). */
const DATA_IS_FIRST_INPUT = new Set(['Reshape', 'Squeeze', 'Unsqueeze']);

/** @private Exported for read-onnx-model-info. */
export function inferIdRanges(
  graph: DecodedGraph,
  integerInputs: readonly string[],
  metadata: Readonly<Record<string, string>>,
  source: string,
): Map<string, IdRange> {
  const consumers = new Map<string, DecodedNode[]>();
  for (const node of graph.node ?? []) {
    for (const input of new Set(node.input ?? [])) {
      if (!consumers.has(input)) consumers.set(input, []);
      consumers.get(input)!.push(node);
    }
  }
  const tableRows = new Map<string, number>();
  for (const t of graph.initializer ?? []) {
    if (t.name && t.dims && t.dims.length > 0) tableRows.set(t.name, toSafeNumber(t.dims[0]));
  }

  const ranges = new Map<string, IdRange>();
  for (const input of integerInputs) {
    let range: IdRange | undefined;
    const seen = new Set<string>([input]);
    const queue = [input];
    while (queue.length > 0) {
      const value = queue.shift()!;
      for (const node of consumers.get(value) ?? []) {
        const inputs = node.input ?? [];
        const op = node.op_type ?? '';
        if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') continue;
        if (op === 'Gather') {
          const rows = tableRows.get(inputs[0] ?? '');
          if (inputs[1] === value && intAttribute(node, 'axis', 0) === 0 && rows !== undefined && rows > 0) {
            const found: IdRange = { min: 0n, max: BigInt(rows - 1) };
            range = range === undefined ? found : intersect(range, found);
          }
          continue;
        }
        if (!SHAPE_ONLY_OPS.has(op)) continue;
        if (DATA_IS_FIRST_INPUT.has(op) && inputs[0] !== value) continue;
        if (op === 'Cast' && !ONNX_INTEGER_DATA_TYPES.has(intAttribute(node, 'to', 0))) continue;
        const out = node.output?.[0];
        if (out && !seen.has(out)) {
          seen.add(out);
          queue.push(out);
        }
      }
    }
    if (range !== undefined) ranges.set(input, range);
  }

  for (const [key, text] of Object.entries(metadata)) {
    if (!key.startsWith(ID_RANGE_METADATA_PREFIX)) continue;
    const input = key.slice(ID_RANGE_METADATA_PREFIX.length);
    if (!integerInputs.includes(input)) {
      throw new Error(`${source}: metadata ${key} names "${input}", which is not an integer graph input; integer inputs: [${integerInputs.join(', ')}]`);
    }
    ranges.set(input, parseIdRange(text, `${source}: metadata ${key}`));
  }
  return ranges;
}

function intersect(a: IdRange, b: IdRange): IdRange {
  return { min: a.min > b.min ? a.min : b.min, max: a.max < b.max ? a.max : b.max };
}

/** Parses "min:max" (inclusive, integers, min <= max). */
export function parseIdRange(text: string, what: string): IdRange {
  const match = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(text);
  if (!match) throw new Error(`${what} must be "min:max" with integers; got "${text}"`);
  const min = BigInt(match[1]!);
  const max = BigInt(match[2]!);
  if (min > max) throw new Error(`${what} must have min <= max; got "${text}"`);
  return { min, max };
}
