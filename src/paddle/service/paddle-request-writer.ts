/**
 * Writes Paddle's `general_model.Request` (proto/paddle/general_model_service.proto) straight from
 * host tensors into one exactly sized Buffer: what rec-client's Paddle modes (gRPC, HTTP proto
 * body, baidu_std) send on every call. No message objects, no array of JS numbers per int64
 * tensor (ids are read as two 32-bit words, never as BigInts), no encoder writer per field; the
 * fields around each input's values (elem_type, shape, names) are kept for the last feed layout
 * and copied while calls keep it (`FeedLayout`).
 *
 * Contract: for a feed whose int64 values lie within ±(2^53 − 1), the same bytes as protobufjs's
 * reflection encoder writes for `buildPaddleRequest(feed, fetch, logId, signature)`
 * (client/paddle-wire-codec.ts): per input, in the feed's key order, its typed field (int64 →
 * int64_data, float32 → float_data, int32 → int_data, float64 → float64_data, bool → bool_data,
 * float16 / uint8 / int8 → tensor_content), elem_type, shape, the real name (from the signature,
 * else the alias) and the alias; fields in number order, proto3 defaults (0, empty) left out. Int64
 * values beyond 2^53 are written exactly (the message path rounds them through a JS number).
 */
import { sameDims, type DType, type HostTensor } from '../../core/tensor';
import type { ModelSignature } from '../../core/model-signature';
import { paddleCodeOfDType } from '../../model/paddle-config';
import { WireWriter, fieldSize, int32sSize, uint64Size, utf8Length, varint32Size, varint64Size } from '../../protocol/wire-writer';

/**
 * The 32-bit words of a call's int64 tensors: one Int32Array view per buffer the call's tensors
 * lie in (a batch's tensors usually share one), made when a tensor in another buffer comes.
 */
class Int64Words {
  private buffer: ArrayBufferLike | undefined;
  private view: Int32Array | undefined;

  /** The view holding `data`'s words: value i of `data` is (lo, hi) = (words[at + 2i], words[at + 2i + 1]), at = data.byteOffset / 4. */
  of(data: BigInt64Array): Int32Array {
    if (data.buffer !== this.buffer) {
      this.buffer = data.buffer;
      this.view = new Int32Array(data.buffer, 0, data.buffer.byteLength >> 2);
    }
    return this.view!;
  }
}

function int64sBody(data: BigInt64Array, words: Int32Array): number {
  let size = 0;
  for (let i = data.byteOffset >> 2, end = i + 2 * data.length; i < end; i += 2) size += varint64Size(words[i] >>> 0, words[i + 1] >>> 0);
  return size;
}

/** Body size of the typed field that carries `tensor`'s values (0 when it has none). */
function valuesBody(tensor: HostTensor, words: Int64Words): number {
  const data = tensor.data;
  switch (tensor.dtype) {
    case 'int64': return int64sBody(data as BigInt64Array, words.of(data as BigInt64Array));
    case 'int32': return int32sSize(data as Int32Array);
    case 'bool': return data.length;
    default: return data.byteLength;
  }
}

const VALUE_FIELD: Readonly<Record<HostTensor['dtype'], number>> = {
  int64: 1, float32: 2, int32: 3, float64: 4, bool: 6, float16: 15, uint8: 15, int8: 15,
};

const optional = (body: number) => (body === 0 ? 0 : fieldSize(body));

/**
 * Per input, the bytes of every field but its values: elem_type, shape, the real name and the
 * alias, for one layout (aliases, dtypes and dims in order, and the signature that names them).
 * A client sends the same layout on every call, so the writer keeps the last one and, while calls
 * match it, copies those bytes instead of looking the names up and writing them again.
 */
class FeedLayout {
  private constructor(
    private readonly aliases: readonly string[],
    private readonly dtypes: readonly DType[],
    private readonly dims: ReadonlyArray<readonly number[]>,
    private readonly signature: ModelSignature | undefined,
    /** Per input, its fields other than the values, in number order. */
    private readonly fixed: Uint8Array,
    /** Where each input's fixed bytes end in `fixed`. */
    private readonly fixedEnds: readonly number[],
  ) {}

  static of(aliases: readonly string[], tensors: readonly HostTensor[], signature: ModelSignature | undefined): FeedLayout {
    const names = realNames(signature);
    const real = aliases.map((alias) => names?.get(alias) ?? alias);
    let size = 0;
    for (let i = 0; i < aliases.length; i++) {
      const code = paddleCodeOfDType(tensors[i].dtype);
      size += (code === 0 ? 0 : 1 + varint32Size(code)) + optional(int32sSize(tensors[i].dims)) + optional(utf8Length(real[i])) + optional(utf8Length(aliases[i]));
    }
    const w = new WireWriter(Buffer.allocUnsafe(size));
    const fixedEnds = new Array<number>(aliases.length);
    for (let i = 0; i < aliases.length; i++) {
      const tensor = tensors[i];
      const code = paddleCodeOfDType(tensor.dtype);
      if (code !== 0) {
        w.buf[w.pos++] = 10 << 3;
        w.varint32(code);
      }
      if (tensor.dims.length > 0) w.int32s(11, tensor.dims);
      if (real[i] !== '') w.string(13, real[i]);
      if (aliases[i] !== '') w.string(14, aliases[i]);
      fixedEnds[i] = w.pos;
    }
    return new FeedLayout([...aliases], tensors.map((t) => t.dtype), tensors.map((t) => [...t.dims]), signature, w.buf, fixedEnds);
  }

  /** The inputs have this layout: the same aliases, dtypes and dims in the same order, named by the same signature. */
  matches(aliases: readonly string[], tensors: readonly HostTensor[], signature: ModelSignature | undefined): boolean {
    if (signature !== this.signature || aliases.length !== this.aliases.length) return false;
    for (let i = 0; i < aliases.length; i++) {
      const tensor = tensors[i];
      if (aliases[i] !== this.aliases[i] || tensor.dtype !== this.dtypes[i] || !sameDims(tensor.dims, this.dims[i])) return false;
    }
    return true;
  }

  fixedSize(input: number): number {
    return this.fixedEnds[input] - (input === 0 ? 0 : this.fixedEnds[input - 1]);
  }

  writeFixed(w: WireWriter, input: number): void {
    const buf = w.buf;
    const fixed = this.fixed;
    let pos = w.pos;
    for (let from = input === 0 ? 0 : this.fixedEnds[input - 1], end = this.fixedEnds[input]; from < end; from++) buf[pos++] = fixed[from];
    w.pos = pos;
  }
}

/** The layout the last request was written with. */
let lastLayout: FeedLayout | undefined;

function layoutFor(aliases: readonly string[], tensors: readonly HostTensor[], signature: ModelSignature | undefined): FeedLayout {
  if (lastLayout !== undefined && lastLayout.matches(aliases, tensors, signature)) return lastLayout;
  lastLayout = FeedLayout.of(aliases, tensors, signature);
  return lastLayout;
}

/** Real input name by alias, built once per signature. */
const REAL_NAMES = new WeakMap<ModelSignature, ReadonlyMap<string, string>>();
function realNames(signature: ModelSignature | undefined): ReadonlyMap<string, string> | undefined {
  if (signature === undefined) return undefined;
  let names = REAL_NAMES.get(signature);
  if (names === undefined) {
    names = new Map(signature.inputs.map((spec) => [spec.alias, spec.name]));
    REAL_NAMES.set(signature, names);
  }
  return names;
}

export function writePaddleRequest(
  feed: Readonly<Record<string, HostTensor>>, fetch: readonly string[], logId: number, signature?: ModelSignature,
): Buffer {
  const aliases = Object.keys(feed);
  const n = aliases.length;
  const tensors = new Array<HostTensor>(n);
  for (let i = 0; i < n; i++) tensors[i] = feed[aliases[i]];
  const layout = layoutFor(aliases, tensors, signature);
  const words = new Int64Words();
  // Per input: the values field's body, then the tensor's body.
  const sizes = new Array<number>(2 * n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const values = valuesBody(tensors[i], words);
    const body = optional(values) + layout.fixedSize(i);
    sizes[2 * i] = values;
    sizes[2 * i + 1] = body;
    size += fieldSize(body);
  }
  for (const name of fetch) size += fieldSize(utf8Length(name));
  if (logId !== 0) size += 1 + uint64Size(logId);

  const w = new WireWriter(Buffer.allocUnsafe(size));
  for (let i = 0; i < n; i++) {
    const tensor = tensors[i];
    w.buf[w.pos++] = (1 << 3) | 2;
    w.varint32(sizes[2 * i + 1]);
    // Fields in number order: the values field (1..6) first, tensor_content (15) last.
    const contentLast = VALUE_FIELD[tensor.dtype] === 15;
    if (!contentLast) writeValues(w, tensor, words, sizes[2 * i]);
    layout.writeFixed(w, i);
    if (contentLast) writeValues(w, tensor, words, sizes[2 * i]);
  }
  for (const name of fetch) w.string(2, name);
  if (logId !== 0) {
    w.buf[w.pos++] = 4 << 3;
    w.uint64(logId);
  }
  if (w.pos !== size) throw new Error(`Paddle request writer wrote ${w.pos} bytes for a computed size of ${size}`);
  return w.buf;
}

function writeValues(w: WireWriter, tensor: HostTensor, words: Int64Words, body: number): void {
  if (body === 0) return;
  const data = tensor.data;
  const field = VALUE_FIELD[tensor.dtype];
  switch (tensor.dtype) {
    case 'int64': {
      w.buf[w.pos++] = (field << 3) | 2;
      w.varint32(body);
      const values = data as BigInt64Array;
      const view = words.of(values);
      for (let i = values.byteOffset >> 2, end = i + 2 * values.length; i < end; i += 2) w.varint64(view[i] >>> 0, view[i + 1] >>> 0);
      return;
    }
    case 'float32': w.floats(field, data as Float32Array); return;
    case 'int32': w.int32s(field, data as Int32Array); return;
    case 'float64': w.doubles(field, data as Float64Array); return;
    case 'bool': w.bools(field, data as Uint8Array); return;
    default: w.bytes(field, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}
