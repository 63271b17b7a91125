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
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { invalidArgument } from '../../core/errors';
import { type GeneralModelConfig, GeneralModelConfigSchema } from './gen/general_model_config_pb';

/**
 * Decodes the binary form.
 * @param source the file (or other origin) named in error messages.
 */
export function parseGeneralModelConfigBinary(bytes: Uint8Array, source: string): GeneralModelConfig {
  let config: GeneralModelConfig;
  try {
    config = fromBinary(GeneralModelConfigSchema, bytes, { readUnknownFields: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`${source}: invalid binary GeneralModelConfig: ${reason}`);
  }
  rejectUnknown(config, 'GeneralModelConfig', source);
  config.feedVar.forEach((v, i) => rejectUnknown(v, `feed_var[${i}]`, source));
  config.fetchVar.forEach((v, i) => rejectUnknown(v, `fetch_var[${i}]`, source));
  return config;
}

/** The binary form, as Paddle's `SerializeToString()` writes it (fields in number order). */
export function serializeGeneralModelConfigBinary(config: GeneralModelConfig): Uint8Array {
  return toBinary(GeneralModelConfigSchema, config, { writeUnknownFields: false });
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

function rejectUnknown(message: { $unknown?: { no: number }[] }, where: string, source: string): void {
  const unknown = message.$unknown;
  if (unknown === undefined || unknown.length === 0) return;
  const numbers = [...new Set(unknown.map((f) => f.no))].join(', ');
  throw invalidArgument(`${source}: ${where}: unknown field number ${numbers} (not part of GeneralModelConfig)`);
}
