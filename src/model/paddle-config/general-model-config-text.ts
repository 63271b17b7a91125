/**
 * The protobuf TEXT form of Paddle's `GeneralModelConfig` (`serving_*_conf.prototxt`).
 *
 * Contract:
 * - Parsing is schema-aware (model/protobuf-text over the protobufjs type of
 *   proto/paddle/general_model_config.proto): unknown fields, values of the wrong type,
 *   out-of-range numbers and syntax errors are refused, never skipped.
 * - Every parse error is an `INVALID_ARGUMENT` whose message starts with `<source>:<line>: `,
 *   names the field (and its type for a bad value), and ends with the line and column and the
 *   offending line quoted.
 * - Formatting writes the explicit form (`createGeneralModelConfig`) in the layout Paddle's own
 *   converter writes (`feed_var {` blocks, one field per line, repeated `shape:` lines, a trailing
 *   newline), so the output can be handed to an unmodified Paddle Serving client.
 */
import { invalidArgument } from '../../core/errors';
import { parseProtobufText, printProtobufText, ProtobufTextError } from '../protobuf-text';
import { createGeneralModelConfig } from './create-general-model-config';
import { GENERAL_MODEL_CONFIG_TYPE, type GeneralModelConfig, toGeneralModelConfig } from './general-model-config-schema';

/** Longest excerpt of the offending line quoted in an error. */
const MAX_QUOTED_CHARS = 120;

/**
 * Parses the text form.
 * @param source the file (or other origin) named in error messages.
 */
export function parseGeneralModelConfigText(text: string, source: string): GeneralModelConfig {
  try {
    return toGeneralModelConfig(parseProtobufText(GENERAL_MODEL_CONFIG_TYPE, text));
  } catch (err) {
    if (!(err instanceof ProtobufTextError)) throw err;
    const lineText = lineAt(text, err.line).trim();
    const quoted = lineText.length > MAX_QUOTED_CHARS ? `${lineText.slice(0, MAX_QUOTED_CHARS)}...` : lineText;
    throw invalidArgument(`${source}:${err.line}: ${err.reason} (line ${err.line}, column ${err.column}: \`${quoted}\`)`);
  }
}

/** The text form, in Paddle's layout. */
export function formatGeneralModelConfigText(config: GeneralModelConfig): string {
  return printProtobufText(GENERAL_MODEL_CONFIG_TYPE, createGeneralModelConfig(config));
}

/** Line `n` (1-based) of `text`, found without splitting the whole text. */
function lineAt(text: string, n: number): string {
  let start = 0;
  for (let line = 1; line < n; line++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}
