/**
 * Encodes Paddle's `general_model.Response` (proto/paddle/general_model_service.proto) in one pass
 * into one exactly sized Buffer: sizes are computed first, then every field is written in place,
 * with no intermediate writer objects per field (the reflection encoder's were a visible share of a
 * batch-5 Paddle call). Each Tensor field is checked and written by its own code (no table walk),
 * ASCII strings are measured and copied in JS (no native call for a short name), and sizes are kept
 * in reused scratch arrays, so a served response costs a handful of allocations: the Buffer itself.
 *
 * Contract: for any PaddleResponse, `encodePaddleResponse` returns the same bytes as protobufjs's
 * reflection encoder (protocol/protobuf-runtime.ts): fields in number order; a singular field is
 * written when it is present (own property, not null/undefined) and not its proto3 default (0,
 * false, "", empty bytes); a repeated field when it is not empty, numeric ones packed; int32 and
 * int64 negatives as 10-byte varints.
 * Strings are written as UTF-8 (well-formed strings; a lone surrogate becomes U+FFFD).
 */
import type { PaddleModelOutput, PaddleResponse, PaddleTensor } from './paddle-messages';
import { WireWriter, fieldSize, int32Size, int32sSize, int64sSize, uint32sSize, uint64Size, utf8Length } from '../../protocol/wire-writer';

const hasOwn = Object.prototype.hasOwnProperty;

/** A singular proto3 field is written when present (own property) and not its default (0, false, '', empty bytes). */
function isSet(message: object, field: string, value: unknown): boolean {
  // Strings and numbers first: the fields' own types, tested without the generic checks.
  if (typeof value === 'string') return value !== '' && hasOwn.call(message, field);
  if (typeof value === 'number') return value !== 0 && hasOwn.call(message, field);
  if (value == null || value === false) return false;
  if (value instanceof Uint8Array && value.byteLength === 0) return false;
  return hasOwn.call(message, field);
}

const nonEmpty = (values: ArrayLike<unknown> | undefined): values is ArrayLike<unknown> => values != null && values.length > 0;

/**
 * Body sizes of the outputs and tensors being encoded, in write order: `sizes[0..sizeCount)`
 * (reused across calls: encoding is synchronous).
 */
const sizes: number[] = [];
let sizeCount = 0;

function tensorSize(t: PaddleTensor): number {
  let size = 0;
  if (nonEmpty(t.int64_data)) size += fieldSize(int64sSize(t.int64_data));
  if (nonEmpty(t.float_data)) size += fieldSize(4 * t.float_data.length);
  if (nonEmpty(t.int_data)) size += fieldSize(int32sSize(t.int_data));
  if (nonEmpty(t.float64_data)) size += fieldSize(8 * t.float64_data.length);
  if (nonEmpty(t.uint32_data)) size += fieldSize(uint32sSize(t.uint32_data));
  if (nonEmpty(t.bool_data)) size += fieldSize(t.bool_data.length);
  if (nonEmpty(t.complex64_data)) size += fieldSize(4 * t.complex64_data.length);
  if (nonEmpty(t.complex128_data)) size += fieldSize(8 * t.complex128_data.length);
  const texts = t.data;
  if (texts != null) for (let i = 0; i < texts.length; i++) size += fieldSize(utf8Length(texts[i]));
  if (isSet(t, 'elem_type', t.elem_type)) size += 1 + int32Size(t.elem_type!);
  if (nonEmpty(t.shape)) size += fieldSize(int32sSize(t.shape));
  if (nonEmpty(t.lod)) size += fieldSize(int32sSize(t.lod));
  if (isSet(t, 'name', t.name)) size += fieldSize(utf8Length(t.name!));
  if (isSet(t, 'alias_name', t.alias_name)) size += fieldSize(utf8Length(t.alias_name!));
  if (isSet(t, 'tensor_content', t.tensor_content)) size += fieldSize(t.tensor_content!.byteLength);
  return size;
}

function writeTensor(out: WireWriter, t: PaddleTensor): void {
  if (nonEmpty(t.int64_data)) out.int64s(1, t.int64_data);
  if (nonEmpty(t.float_data)) out.floats(2, t.float_data);
  if (nonEmpty(t.int_data)) out.int32s(3, t.int_data);
  if (nonEmpty(t.float64_data)) out.doubles(4, t.float64_data);
  if (nonEmpty(t.uint32_data)) out.uint32s(5, t.uint32_data);
  if (nonEmpty(t.bool_data)) out.bools(6, t.bool_data);
  if (nonEmpty(t.complex64_data)) out.floats(7, t.complex64_data);
  if (nonEmpty(t.complex128_data)) out.doubles(8, t.complex128_data);
  const texts = t.data;
  if (texts != null) for (let i = 0; i < texts.length; i++) out.string(9, texts[i]);
  if (isSet(t, 'elem_type', t.elem_type)) {
    out.varint32(10 << 3);
    out.int32(t.elem_type!);
  }
  if (nonEmpty(t.shape)) out.int32s(11, t.shape);
  if (nonEmpty(t.lod)) out.int32s(12, t.lod);
  if (isSet(t, 'name', t.name)) out.string(13, t.name!);
  if (isSet(t, 'alias_name', t.alias_name)) out.string(14, t.alias_name!);
  if (isSet(t, 'tensor_content', t.tensor_content)) out.bytes(15, t.tensor_content!);
}

/** Sizes of `output` and then of each of its tensors, appended to `sizes`; returns the output's. */
function outputSize(output: PaddleModelOutput): number {
  const at = sizeCount++;
  let size = 0;
  const tensors = output.tensor;
  if (tensors != null) {
    for (let i = 0; i < tensors.length; i++) {
      const body = tensorSize(tensors[i]);
      sizes[sizeCount++] = body;
      size += fieldSize(body);
    }
  }
  if (isSet(output, 'engine_name', output.engine_name)) size += fieldSize(utf8Length(output.engine_name));
  sizes[at] = size;
  return size;
}

export function encodePaddleResponse(response: PaddleResponse): Buffer {
  sizeCount = 0;
  const outputs = response.outputs;
  let size = 0;
  if (outputs != null) for (let i = 0; i < outputs.length; i++) size += fieldSize(outputSize(outputs[i]));
  const profile = response.profile_time;
  if (nonEmpty(profile)) size += fieldSize(int64sSize(profile));
  if (isSet(response, 'profile_server', response.profile_server)) size += 2;
  if (isSet(response, 'log_id', response.log_id)) size += 1 + uint64Size(response.log_id!);
  if (isSet(response, 'err_no', response.err_no)) size += 1 + int32Size(response.err_no!);
  if (isSet(response, 'err_msg', response.err_msg)) size += fieldSize(utf8Length(response.err_msg!));

  const out = new WireWriter(Buffer.allocUnsafe(size));
  let sizeAt = 0;
  if (outputs != null) {
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i];
      out.varint32((1 << 3) | 2);
      out.varint32(sizes[sizeAt++]);
      const tensors = output.tensor;
      if (tensors != null) {
        for (let k = 0; k < tensors.length; k++) {
          out.varint32((1 << 3) | 2);
          out.varint32(sizes[sizeAt++]);
          writeTensor(out, tensors[k]);
        }
      }
      if (isSet(output, 'engine_name', output.engine_name)) out.string(2, output.engine_name);
    }
  }
  if (nonEmpty(profile)) out.int64s(2, profile);
  if (isSet(response, 'profile_server', response.profile_server)) {
    out.varint32(3 << 3);
    out.buf[out.pos++] = response.profile_server ? 1 : 0;
  }
  if (isSet(response, 'log_id', response.log_id)) {
    out.varint32(4 << 3);
    out.uint64(Number(response.log_id));
  }
  if (isSet(response, 'err_no', response.err_no)) {
    out.varint32(5 << 3);
    out.int32(response.err_no!);
  }
  if (isSet(response, 'err_msg', response.err_msg)) out.string(6, response.err_msg!);
  if (out.pos !== size) throw new Error(`Paddle response encoder wrote ${out.pos} bytes for a computed size of ${size}`);
  return out.buf;
}
