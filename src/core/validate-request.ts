/**
 * Checks a decoded request against a model's signature before anything reaches an engine.
 *
 * Contract: `validateRequest` either returns the feeds keyed by the model's REAL input names
 * plus the requested output specs, or throws an INVALID_ARGUMENT ServingError whose message names
 * the input, the expected and the actual value. Inputs may be addressed by alias or real name.
 * It checks: unknown / missing / duplicate inputs, dtype, rank and fixed dimensions, equal row
 * counts across inputs, empty batches, too many rows, ids outside an input's embedding range,
 * NaN / ±Infinity in floating-point inputs, and unknown or repeated outputs (so no request asks
 * for more outputs than the model has). It never mutates the tensors.
 */
import { invalidArgument } from './errors';
import type { ModelSignature, TensorSpec, IdRange } from './model-signature';
import type { HostTensor } from './tensor';

export interface NamedTensor {
  readonly name: string;
  readonly tensor: HostTensor;
}

export interface ValidatedRequest {
  /** Feeds by the model's real input name. */
  readonly feeds: Record<string, HostTensor>;
  /** Outputs to return, in the order asked for (all, in signature order, when none were named). */
  readonly outputs: readonly TensorSpec[];
  readonly rows: number;
}

/** Lookup tables built once per model, so validation does no per-request setup. */
export class SignatureIndex {
  /** Alias or real name -> position in `signature.inputs`. */
  readonly inputPositionByKey = new Map<string, number>();
  readonly outputByKey = new Map<string, TensorSpec>();
  /** Per input (signature order): its id range as plain numbers when it lies inside [0, 2^31), for the 32-bit check. */
  readonly smallIdRanges: ReadonlyArray<SmallRange | undefined>;

  constructor(readonly signature: ModelSignature) {
    signature.inputs.forEach((spec, position) => {
      this.inputPositionByKey.set(spec.alias, position);
      this.inputPositionByKey.set(spec.name, position);
    });
    this.smallIdRanges = signature.inputs.map((spec) => (spec.idRange === undefined ? undefined : smallRange(spec.idRange)));
    for (const spec of signature.outputs) {
      this.outputByKey.set(spec.alias, spec);
      this.outputByKey.set(spec.name, spec);
    }
  }

  /** The input addressed by alias or real name, if any. */
  input(key: string): TensorSpec | undefined {
    const position = this.inputPositionByKey.get(key);
    return position === undefined ? undefined : this.signature.inputs[position];
  }
}

export function validateRequest(
  index: SignatureIndex,
  inputs: readonly NamedTensor[],
  outputNames: readonly string[],
  maxRows: number,
): ValidatedRequest {
  const { signature } = index;
  const feeds: Record<string, HostTensor> = {};
  // The tensors in signature order, so the checks below need no lookups by name.
  const ordered: Array<HostTensor | undefined> = new Array(signature.inputs.length);
  const unknown: string[] = [];
  let rows = -1;
  let rowsFrom = '';
  let found = 0;
  for (let i = 0; i < inputs.length; i++) {
    const { name, tensor } = inputs[i];
    const position = index.inputPositionByKey.get(name);
    if (position === undefined) {
      unknown.push(name);
      continue;
    }
    const spec = signature.inputs[position];
    if (ordered[position] !== undefined) {
      throw invalidArgument(`input "${name}" is given more than once`);
    }
    checkDtypeAndShape(name, spec, tensor);
    const tensorRows = tensor.dims[0];
    if (rows === -1) {
      rows = tensorRows;
      rowsFrom = name;
    } else if (tensorRows !== rows) {
      throw invalidArgument(
        `input "${name}" has ${tensorRows} rows but input "${rowsFrom}" has ${rows}: every input must have the same number of rows`,
      );
    }
    ordered[position] = tensor;
    feeds[spec.name] = tensor;
    found++;
  }
  if (unknown.length > 0 || found !== signature.inputs.length) {
    const missing = signature.inputs.filter((_spec, position) => ordered[position] === undefined).map((spec) => spec.alias);
    throw invalidArgument(
      `inputs do not match the model: missing {${missing.join(', ')}}; unknown {${unknown.join(', ')}}; ` +
        `expected ${signature.inputs.length} inputs: ${signature.inputs.map((s) => s.alias).join(', ')}`,
    );
  }
  if (rows === 0) {
    throw invalidArgument(`input "${rowsFrom}": the batch is empty (0 rows); at least 1 row is required`);
  }
  if (rows > maxRows) {
    throw invalidArgument(`request has ${rows} rows; the maximum is ${maxRows}`);
  }
  const words: WordsView = { buffer: undefined, words: undefined };
  for (let i = 0; i < signature.inputs.length; i++) {
    const spec = signature.inputs[i];
    if (spec.idRange !== undefined) checkIdRange(spec.alias, ordered[i]!, spec.idRange, index.smallIdRanges[i], words);
    else checkFinite(spec.alias, ordered[i]!);
  }
  return { feeds, outputs: selectOutputs(index, outputNames), rows };
}

function checkDtypeAndShape(name: string, spec: TensorSpec, tensor: HostTensor): void {
  if (tensor.dtype !== spec.dtype) {
    throw invalidArgument(`input "${name}": expected dtype ${spec.dtype}; got ${tensor.dtype}`);
  }
  const expectedRank = spec.shape.length + 1;
  const actual = tensor.dims;
  let matches = actual.length === expectedRank;
  for (let i = 0; matches && i < spec.shape.length; i++) matches = spec.shape[i] < 0 || spec.shape[i] === actual[i + 1];
  if (!matches) {
    const expected = ['rows', ...spec.shape.map((d) => (d < 0 ? '?' : String(d)))].join(',');
    throw invalidArgument(`input "${name}": expected shape [${expected}]; got [${actual.join(',')}]`);
  }
}

/** Each output at most once (by alias or real name), which also bounds the count by the model's. */
function selectOutputs(index: SignatureIndex, outputNames: readonly string[]): TensorSpec[] {
  if (outputNames.length === 0) return [...index.signature.outputs];
  const available = () => `{${index.signature.outputs.map((s) => s.alias).join(', ')}}`;
  const askedAt = new Map<TensorSpec, number>();
  return outputNames.map((name, position) => {
    const spec = index.outputByKey.get(name);
    if (spec === undefined) throw invalidArgument(`unknown output "${name}"; available: ${available()}`);
    const first = askedAt.get(spec);
    if (first !== undefined) {
      throw invalidArgument(
        `output "${name}" is requested more than once (output names ${first} "${outputNames[first]}" and ${position} "${name}"); ` +
          `expected each output at most once, so at most ${index.signature.outputs.length} of ${available()}; got ${outputNames.length} names`,
      );
    }
    askedAt.set(spec, position);
    return spec;
  });
}

/** Floating-point inputs must hold finite numbers: NaN or ±Infinity would come back as NaN scores. */
function checkFinite(name: string, tensor: HostTensor): void {
  const data = tensor.data;
  const columns = tensor.dims[0] > 0 ? data.length / tensor.dims[0] : 1;
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw notFinite(name, String(data[i]), i, columns);
    }
  } else if (tensor.dtype === 'float16') {
    // float16 travels as raw bits: exponent all ones is Infinity (mantissa 0) or NaN.
    for (let i = 0; i < data.length; i++) {
      const bits = data[i] as number;
      if ((bits & 0x7c00) === 0x7c00) throw notFinite(name, (bits & 0x3ff) !== 0 ? 'NaN' : bits & 0x8000 ? '-Infinity' : 'Infinity', i, columns);
    }
  }
}

function notFinite(name: string, value: string, index: number, columns: number) {
  return invalidArgument(
    `input "${name}": value ${value} at row ${Math.floor(index / columns)}, column ${index % columns} is not a finite number; expected finite values`,
  );
}

/**
 * Every id must lie in [min, max]. Fast path for int64 data and a range inside [0, 2^31): read the
 * two 32-bit halves instead of comparing BigInts (26 x 2048 ids cost microseconds, not a millisecond).
 */
function checkIdRange(name: string, tensor: HostTensor, range: IdRange, small: SmallRange | undefined, view: WordsView): void {
  const data = tensor.data;
  const columns = tensor.dims.length > 1 ? data.length / tensor.dims[0] : 1;
  if (data instanceof BigInt64Array && small !== undefined) {
    // The inputs of one request usually share one buffer: one 32-bit view of it serves them all.
    if (view.buffer !== data.buffer) {
      view.buffer = data.buffer;
      view.words = new Int32Array(data.buffer, 0, data.buffer.byteLength >> 2);
    }
    const words = view.words!;
    const base = data.byteOffset >> 2;
    const { min, max } = small;
    for (let i = 0; i < data.length; i++) {
      const low = words[base + 2 * i];
      if (words[base + 2 * i + 1] !== 0 || low < min || low > max) {
        throw outOfRange(name, data[i], Math.floor(i / columns), range);
      }
    }
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const value = data instanceof BigInt64Array ? data[i] : BigInt(data[i]);
    if (value < range.min || value > range.max) throw outOfRange(name, value, Math.floor(i / columns), range);
  }
}

/** A 32-bit view of the buffer the last int64 input lived in (BigInt64Array offsets are multiples of 8). */
interface WordsView {
  buffer: ArrayBufferLike | undefined;
  words: Int32Array | undefined;
}

interface SmallRange {
  readonly min: number;
  readonly max: number;
}

/** A range inside [0, 2^31) as plain numbers (computed once per model, in SignatureIndex), for the 32-bit fast path. */
function smallRange(range: IdRange): SmallRange | undefined {
  return range.min >= 0n && range.max < 0x80000000n ? { min: Number(range.min), max: Number(range.max) } : undefined;
}

function outOfRange(name: string, value: bigint, row: number, range: IdRange) {
  return invalidArgument(
    `input "${name}": id ${value} at row ${row} is outside the embedding range [${range.min}, ${range.max}]`,
  );
}
