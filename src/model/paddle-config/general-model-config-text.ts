/**
 * The protobuf TEXT form of Paddle's `GeneralModelConfig` (`serving_*_conf.prototxt`).
 *
 * Contract:
 * - Parsing is schema-aware (@bufbuild/protobuf's `txtpb`, driven by the generated descriptor):
 *   unknown fields, values of the wrong type and syntax errors are rejected, never skipped.
 * - Every parse error is an `INVALID_ARGUMENT` whose message starts with `<source>:<line>: `,
 *   names the field when the parser's own message does not, and quotes the offending line.
 * - Formatting produces the layout Paddle's own converter writes (`feed_var {` blocks, one
 *   field per line, repeated `shape:` lines, a trailing newline), so the output can be handed
 *   to an unmodified Paddle Serving client.
 */
import { fromText, toText } from '@bufbuild/protobuf/txtpb';
import { invalidArgument } from '../../core/errors';
import { type GeneralModelConfig, GeneralModelConfigSchema } from './gen/general_model_config_pb';

/**
 * Parses the text form.
 * @param source the file (or other origin) named in error messages.
 */
export function parseGeneralModelConfigText(text: string, source: string): GeneralModelConfig {
  try {
    return fromText(GeneralModelConfigSchema, text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const at = locateTextError(text, reason);
    if (at === undefined) throw invalidArgument(`${source}: invalid GeneralModelConfig text: ${reason}`);
    const field = at.field !== undefined && VALUE_ERROR.test(reason) ? `field "${at.field}": ` : '';
    throw invalidArgument(`${source}:${at.line}: ${field}${reason} (at \`${at.lineText.trim()}\`)`);
  }
}

/** txtpb messages about a bad value, which (unlike the others) do not name the field. */
const VALUE_ERROR = /^(expected an? (integer|float|bool|string|enum)|invalid |unterminated |an unsigned|a string value|octal)/;

/** The text form, in Paddle's layout. */
export function formatGeneralModelConfigText(config: GeneralModelConfig): string {
  // txtpb writes a message field as `feed_var: {`; Paddle (C++ and Python TextFormat) writes
  // `feed_var {`. Both parse the same; we match Paddle byte for byte so diffs stay clean. A
  // string value cannot end a line with `: {` unquoted, so only field openers match.
  return toText(GeneralModelConfigSchema, config).replace(/^(\s*[A-Za-z_][A-Za-z0-9_]*): \{$/gm, '$1 {');
}

interface ErrorLocation {
  /** 1-based. */
  readonly line: number;
  readonly lineText: string;
  /** The last `name:` before the offending token on its line: the field a bad value belongs to. */
  readonly field?: string;
}

/**
 * Where a parse error happened. txtpb does not report positions, so we re-parse growing
 * prefixes with the same parser: the first prefix that fails with the same message ends at the
 * offending token (shorter prefixes fail with "unexpected end of input", a different message
 * about a cut-off token, or parse cleanly). First by whole lines, then by characters within the
 * line found, to name the field. Runs only on the error path; configs are a few hundred lines.
 */
function locateTextError(text: string, reason: string): ErrorLocation | undefined {
  const lines = text.split('\n');
  if (reason.startsWith('unexpected end of input')) {
    const line = lastNonBlankLine(lines);
    return { line, lineText: lines[line - 1] ?? '' };
  }
  const fails = (prefix: string) => {
    try {
      fromText(GeneralModelConfigSchema, prefix);
      return false;
    } catch (err) {
      return err instanceof Error && err.message === reason;
    }
  };
  const n = lines.findIndex((_, i) => fails(lines.slice(0, i + 1).join('\n')));
  if (n < 0) return undefined;
  const lineText = lines[n]!;
  const before = lines.slice(0, n).map((l) => `${l}\n`).join('');
  let end = 0;
  while (end < lineText.length && !fails(before + lineText.slice(0, end))) end++;
  const names = [...lineText.slice(0, end).matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*:/g)];
  return { line: n + 1, lineText, field: names.at(-1)?.[1] };
}

function lastNonBlankLine(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return i + 1;
  return 1;
}
