/**
 * Reads protobuf text format into a message of a given protobufjs `Type`, schema-aware.
 *
 * Contract: `parseProtobufText(type, text)` returns `type.create()` with the fields the text sets
 * (keys are protobufjs's field names; text names are the .proto names, `Field.protoName`);
 * absent fields keep protobufjs's defaults (proto2 `[default = ...]` included). It takes `#`
 * comments, `name: value`, message fields as `name { }`, `name: { }` or `name < >`, repeated
 * fields as repeated entries or `[a, b]` lists, `,`/`;` after a field, and the scalars of
 * protobuf-text-scalars.ts. It refuses, with a `ProtobufTextError` giving the line and column
 * and naming the field and its type: unknown fields, values of the wrong kind, out-of-range
 * integers, a non-repeated field (or a second member of a oneof) given twice, syntax errors,
 * unterminated strings and blocks, map and extension fields, and nesting deeper than `maxDepth`.
 * Time is linear in the text; it stops at the first error.
 */
import * as protobuf from 'protobufjs';
import { ProtobufTextError } from './protobuf-text-error';
import { ProtobufTextLexer, type Token } from './protobuf-text-lexer';
import { readScalar, ValueProblem, type ScalarTokens, type ScalarValue } from './protobuf-text-scalars';

export interface ParseProtobufTextOptions {
  /** Most message levels below the top one; deeper text is refused. Default 100 (as protobuf C++). */
  readonly maxDepth?: number;
}

type MutableMessage = Record<string, unknown>;

/** Fields of a type by their .proto name, built once per type. */
const fieldsByProtoName = new WeakMap<protobuf.Type, ReadonlyMap<string, protobuf.Field>>();

function fieldsOf(type: protobuf.Type): ReadonlyMap<string, protobuf.Field> {
  let fields = fieldsByProtoName.get(type);
  if (fields === undefined) {
    fields = new Map(type.fieldsArray.map((f) => {
      f.resolve();
      return [f.protoName ?? f.name, f] as const;
    }));
    fieldsByProtoName.set(type, fields);
  }
  return fields;
}

export function parseProtobufText<T extends object = protobuf.Message>(
  type: protobuf.Type, text: string, options: ParseProtobufTextOptions = {},
): T {
  return new TextParser(text, options.maxDepth ?? 100).parse(type) as T;
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  return `"${token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text}"`;
}

class TextParser {
  private readonly lexer: ProtobufTextLexer;

  constructor(text: string, private readonly maxDepth: number) {
    this.lexer = new ProtobufTextLexer(text);
  }

  parse(type: protobuf.Type): MutableMessage {
    return this.readMessage(type, 0, undefined);
  }

  private fail(token: Token, reason: string, unknownField?: string): never {
    if (token.kind === 'eof') {
      throw new ProtobufTextError(this.lexer.lastEnd.line, this.lexer.lastEnd.column, reason, unknownField);
    }
    throw new ProtobufTextError(token.line, token.column, reason, unknownField);
  }

  private isSymbol(token: Token, ...symbols: string[]): boolean {
    return token.kind === 'symbol' && symbols.includes(token.text);
  }

  /**
   * The fields of one message up to its closer.
   * @param opened the `{`/`<` that opened it and the field it belongs to; undefined at the top.
   */
  private readMessage(type: protobuf.Type, depth: number, opened: { token: Token; field: string } | undefined): MutableMessage {
    const message = type.create() as unknown as MutableMessage;
    const closer = opened === undefined ? undefined : opened.token.text === '<' ? '>' : '}';
    const seen = new Map<protobuf.Field, Token>();
    const oneofs = new Map<protobuf.OneOf, protobuf.Field>();
    for (;;) {
      const token = this.lexer.next();
      if (token.kind === 'eof') {
        if (opened === undefined) return message;
        const at = `line ${opened.token.line}, column ${opened.token.column}`;
        this.fail(token, `unexpected end of input, expected "${closer}" to close "${opened.field}" (opened at ${at})`);
      }
      if (closer !== undefined && this.isSymbol(token, closer)) return message;
      if (this.isSymbol(token, '[')) this.fail(token, `extension and Any fields ("[name]") are not supported in ${type.name}`);
      if (token.kind !== 'identifier') {
        this.fail(token, `expected a field name of ${type.name}${closer === undefined ? '' : ` or "${closer}"`}, got ${describe(token)}`);
      }
      const field = fieldsOf(type).get(token.text);
      if (field === undefined) {
        const known = [...fieldsOf(type).keys()].join(', ');
        this.fail(token, `unknown field "${token.text}" in ${type.fullName.replace(/^\./, '')}; known fields: ${known}`, token.text);
      }
      this.checkOnce(type, field, token, seen, oneofs);
      this.readField(type, field, token, message, depth);
      const after = this.lexer.peek();
      if (this.isSymbol(after, ',', ';')) this.lexer.next();
    }
  }

  private checkOnce(type: protobuf.Type, field: protobuf.Field, token: Token, seen: Map<protobuf.Field, Token>, oneofs: Map<protobuf.OneOf, protobuf.Field>): void {
    if (field.repeated || field.map) return;
    const first = seen.get(field);
    if (first !== undefined) {
      this.fail(token, `field "${token.text}" of ${type.name} is not repeated and was already given at line ${first.line}, column ${first.column}`);
    }
    seen.set(field, token);
    const oneof = field.partOf;
    if (oneof === null || oneof.fieldsArray.length < 2) return;
    const other = oneofs.get(oneof);
    if (other !== undefined) {
      const otherAt = seen.get(other)!;
      this.fail(token, `field "${token.text}" and field "${other.protoName ?? other.name}" (line ${otherAt.line}, column ${otherAt.column}) are both members of oneof "${oneof.name}" of ${type.name}; only one may be set`);
    }
    oneofs.set(oneof, field);
  }

  private readField(type: protobuf.Type, field: protobuf.Field, nameToken: Token, message: MutableMessage, depth: number): void {
    const name = nameToken.text;
    if (field.map) this.fail(nameToken, `field "${name}" of ${type.name} is a map; map fields are not supported by this text-format reader`);
    const store = (value: unknown) => {
      if (field.repeated) (message[field.name] as unknown[]).push(value);
      else message[field.name] = value;
    };
    const isMessage = field.resolvedType instanceof protobuf.Type;
    let token = this.lexer.next();
    const colon = this.isSymbol(token, ':');
    if (colon) token = this.lexer.next();
    else if (!isMessage) this.fail(token, `expected ":" after field "${name}", got ${describe(token)}`);
    if (this.isSymbol(token, '[')) {
      if (!field.repeated) this.fail(token, `field "${name}" of ${type.name} is not repeated; a [ ] list is only for repeated fields`);
      this.readList(type, field, name, token, store, depth);
      return;
    }
    if (isMessage) store(this.readMessageValue(field, name, token, depth));
    else store(this.readScalarValue(type, field, name, token));
  }

  private readList(type: protobuf.Type, field: protobuf.Field, name: string, open: Token, store: (value: unknown) => void, depth: number): void {
    const isMessage = field.resolvedType instanceof protobuf.Type;
    let token = this.lexer.next();
    if (this.isSymbol(token, ']')) return;
    for (;;) {
      store(isMessage ? this.readMessageValue(field, name, token, depth) : this.readScalarValue(type, field, name, token));
      token = this.lexer.next();
      if (this.isSymbol(token, ']')) return;
      if (!this.isSymbol(token, ',')) {
        const reason = token.kind === 'eof'
          ? `unexpected end of input, expected "]" to close the list of field "${name}" (opened at line ${open.line}, column ${open.column})`
          : `expected "," or "]" in the list of field "${name}", got ${describe(token)}`;
        this.fail(token, reason);
      }
      token = this.lexer.next();
    }
  }

  private readMessageValue(field: protobuf.Field, name: string, open: Token, depth: number): MutableMessage {
    if (!this.isSymbol(open, '{', '<')) this.fail(open, `expected "{" or "<" to open message field "${name}", got ${describe(open)}`);
    if (depth + 1 > this.maxDepth) this.fail(open, `messages are nested deeper than ${this.maxDepth} levels (at field "${name}")`);
    return this.readMessage(field.resolvedType as protobuf.Type, depth + 1, { token: open, field: name });
  }

  private readScalarValue(type: protobuf.Type, field: protobuf.Field, name: string, first: Token): ScalarValue {
    let token = first;
    const negative = this.isSymbol(token, '-');
    if (negative) token = this.lexer.next();
    let tokens: ScalarTokens;
    if (token.kind === 'string') {
      const parts = [token];
      while (this.lexer.peek().kind === 'string') parts.push(this.lexer.next());
      tokens = { negative, kind: 'string', text: parts.map((p) => p.text).join(' '), bytes: concatBytes(parts.map((p) => p.bytes!)) };
    } else if (token.kind === 'number' || token.kind === 'identifier') {
      tokens = { negative, kind: token.kind, text: token.text };
    } else {
      this.fail(token, `expected a value for field "${name}", got ${describe(token)}`);
    }
    try {
      return readScalar(field, tokens, `${type.name}.${name}`);
    } catch (err) {
      if (err instanceof ValueProblem) this.fail(first, `field "${name}": ${err.message}`);
      throw err;
    }
  }
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
