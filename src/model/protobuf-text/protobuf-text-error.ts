/**
 * The one error the protobuf text-format reader throws.
 *
 * Contract: `line` and `column` are 1-based (columns count UTF-16 code units) and point at the
 * offending token (for an early end of input: just after the last token); `reason` says what was expected and what was found, naming
 * the field and its type where one is concerned; `unknownField` is set when the cause is a field
 * name the message type does not define. `message` is `line L, column C: <reason>`.
 */
export class ProtobufTextError extends Error {
  override readonly name = 'ProtobufTextError';

  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    readonly unknownField?: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}
