/**
 * The binary form of Paddle's `GeneralModelConfig` (`serving_*_conf.stream.prototxt`: the
 * serialized message, which Paddle's C++ client and server load).
 *
 * Contract: decoding rejects malformed input and fields this schema does not define, with an
 * `INVALID_ARGUMENT` naming the source and the message and field number. `looksBinary()` tells
 * the two forms apart: a text config never holds control bytes, and in practice every binary one
 * does (the tags of alias_name 0x12 and is_lod_tensor 0x18, and length prefixes under 32, are
 * control bytes). Files named `*.stream.prototxt` are always read as binary, as Paddle does.
 */
import * as protobuf from 'protobufjs';
import { invalidArgument } from '../../core/errors';
import { GENERAL_MODEL_CONFIG_TYPE, type GeneralModelConfig, toGeneralModelConfig } from './general-model-config-schema';

/**
 * Decodes the binary form.
 * @param source the file (or other origin) named in error messages.
 */
export function parseGeneralModelConfigBinary(bytes: Uint8Array, source: string): GeneralModelConfig {
  let message: { feedVar: object[]; fetchVar: object[] };
  try {
    const reader = protobuf.Reader.create(bytes);
    reader.discardUnknown = false; // keep them in `$unknowns`, to refuse them below
    message = GENERAL_MODEL_CONFIG_TYPE.decode(reader) as unknown as typeof message;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`${source}: invalid binary GeneralModelConfig: ${reason}`);
  }
  rejectUnknown(message, 'GeneralModelConfig', source);
  message.feedVar.forEach((v, i) => rejectUnknown(v, `feed_var[${i}]`, source));
  message.fetchVar.forEach((v, i) => rejectUnknown(v, `fetch_var[${i}]`, source));
  return toGeneralModelConfig(message);
}

/** The binary form, as Paddle's `SerializeToString()` writes it (fields in number order). */
export function serializeGeneralModelConfigBinary(config: GeneralModelConfig): Uint8Array {
  return GENERAL_MODEL_CONFIG_TYPE.encode(config).finish();
}

/** True when `bytes` hold control characters no text config contains. */
export function looksBinary(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    // Allowed in text: \t \n \v \f \r.
    if (b < 0x20 && (b < 0x09 || b > 0x0d)) return true;
    if (b === 0x7f) return true;
  }
  return false;
}

/** protobufjs keeps each unknown field's raw bytes (tag first) in `$unknowns`. */
function rejectUnknown(message: object, where: string, source: string): void {
  const unknown = (message as { $unknowns?: Uint8Array[] }).$unknowns;
  if (unknown === undefined || unknown.length === 0) return;
  const numbers = [...new Set(unknown.map((raw) => protobuf.Reader.create(raw).uint32() >>> 3))].join(', ');
  throw invalidArgument(`${source}: ${where}: unknown field number ${numbers} (not part of GeneralModelConfig)`);
}
