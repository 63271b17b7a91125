/**
 * Scalar values of protobuf text format, checked against the field's type.
 *
 * Contract: `readScalar()` takes the value's tokens (an optional `-` and one number, identifier
 * or run of adjacent string literals) and returns what protobufjs holds for that field type:
 * numbers for every integer type (64-bit ones only up to ±(2^53 - 1), refused beyond, since the
 * project decodes int64 as numbers), numbers for floats (`inf`, `-inf`, `nan`, an `f` suffix
 * allowed; float is rounded to 32 bits), booleans, enum numbers (by name, or by number where the
 * enum is open or the number is defined), strings (valid UTF-8 only) and bytes. A value of the
 * wrong kind or out of range throws a `ValueProblem` saying what was expected and what came.
 */
import * as protobuf from 'protobufjs';

export type ScalarValue = number | boolean | string | Uint8Array;

/** The tokens of one scalar value, as the parser found them. */
export interface ScalarTokens {
  readonly negative: boolean;
  readonly kind: 'number' | 'identifier' | 'string';
  /** The number's or identifier's text; for strings, the literals as written. */
  readonly text: string;
  readonly bytes?: Uint8Array;
}

/** A bad value; the parser adds the position and the field. */
export class ValueProblem extends Error {}

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const BOOL_WORDS: Readonly<Record<string, boolean>> = { true: true, True: true, t: true, false: false, False: false, f: false };
const FLOAT_WORDS = /^(inf|infinity|nan)$/i;
const DECIMAL_FLOAT = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fF]?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Human description of a token, for "got ..." in messages. */
export function describeTokens(tokens: ScalarTokens): string {
  const text = tokens.kind === 'string' ? tokens.text : `"${tokens.negative ? '-' : ''}${tokens.text}"`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The value of `field` spelled by `tokens`.
 * @param where the field as `Message.field`, named in messages with its type.
 */
export function readScalar(field: protobuf.Field, tokens: ScalarTokens, where: string): ScalarValue {
  if (field.resolvedType instanceof protobuf.Enum) return readEnum(field.resolvedType, tokens);
  const type = field.type;
  const typed = (problem: string) => new ValueProblem(`${problem} (${where} is ${type})`);
  if (type in INT_RANGES) return readInteger(type, tokens, where, typed);
  switch (type) {
    case 'double': return readFloat(tokens, typed);
    case 'float': return Math.fround(readFloat(tokens, typed));
    case 'bool': return readBool(tokens, typed);
    case 'string': {
      const bytes = stringBytes(tokens, 'a string', typed);
      try {
        return utf8.decode(bytes);
      } catch {
        throw typed('the string is not valid UTF-8');
      }
    }
    case 'bytes': return stringBytes(tokens, 'a string', typed);
    default: throw typed('this field type is not supported by the text-format reader');
  }
}

type Typed = (problem: string) => ValueProblem;

/** The integer the tokens spell (decimal, 0x hex or 0 octal), or undefined when they spell none. */
function integerOf(tokens: ScalarTokens): bigint | undefined {
  if (tokens.kind !== 'number') return undefined;
  const text = tokens.text;
  // No integer type needs more than 22 digits; longer literals are refused before BigInt reads them.
  if (text.length > 64 && /^[0-9a-fA-FxX]+$/.test(text)) {
    throw new ValueProblem(`integer literal of ${text.length} characters is out of range of every integer type`);
  }
  let value: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = BigInt(text);
  else if (/^0[0-7]+$/.test(text)) value = BigInt(`0o${text.slice(1)}`);
  else if (/^(0|[1-9]\d*)$/.test(text)) value = BigInt(text);
  else return undefined;
  return tokens.negative ? -value : value;
}

function readInteger(type: string, tokens: ScalarTokens, where: string, typed: Typed): number {
  const value = integerOf(tokens);
  if (value === undefined) throw typed(`expected an integer, got ${describeTokens(tokens)}`);
  const [min, max] = INT_RANGES[type]!;
  if (value < min || value > max) throw new ValueProblem(`${where} is ${type}; ${value} is out of range (${min}..${max})`);
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new ValueProblem(`${where} is ${type}; ${value} is beyond ±${MAX_SAFE} (2^53 - 1), the largest integer read exactly (64-bit values are read as JS numbers)`);
  }
  return Number(value);
}

function readFloat(tokens: ScalarTokens, typed: Typed): number {
  const sign = tokens.negative ? -1 : 1;
  if (tokens.kind === 'identifier' && FLOAT_WORDS.test(tokens.text)) {
    return /^nan$/i.test(tokens.text) ? NaN : sign * Infinity;
  }
  if (tokens.kind === 'number') {
    const integer = integerOf(tokens);
    if (integer !== undefined) return integer === 0n && tokens.negative ? -0 : Number(integer);
    if (DECIMAL_FLOAT.test(tokens.text)) return sign * Number(tokens.text.replace(/[fF]$/, ''));
  }
  throw typed(`expected a number, got ${describeTokens(tokens)}`);
}

function readBool(tokens: ScalarTokens, typed: Typed): boolean {
  if (!tokens.negative && tokens.kind === 'identifier' && tokens.text in BOOL_WORDS) return BOOL_WORDS[tokens.text]!;
  const integer = integerOf(tokens);
  if (integer === 0n || integer === 1n) return integer === 1n;
  throw typed(`expected a bool (true, false, True, False, t, f, 1 or 0), got ${describeTokens(tokens)}`);
}

function readEnum(type: protobuf.Enum, tokens: ScalarTokens): number {
  const names = Object.keys(type.values);
  const fullName = type.fullName.replace(/^\./, '');
  if (tokens.kind === 'identifier' && !tokens.negative) {
    const value = type.values[tokens.text];
    if (value !== undefined) return value;
    throw new ValueProblem(`unknown value "${tokens.text}" of enum ${fullName}; known: ${names.join(', ')}`);
  }
  const integer = integerOf(tokens);
  if (integer === undefined) throw new ValueProblem(`expected an enum name or number of ${fullName}, got ${describeTokens(tokens)}`);
  if (integer < -(2n ** 31n) || integer > 2n ** 31n - 1n) throw new ValueProblem(`enum number ${integer} is out of the int32 range`);
  const number = Number(integer);
  const closed = (type as unknown as { _features?: { enum_type?: string } })._features?.enum_type === 'CLOSED';
  if (closed && !Object.values(type.values).includes(number)) {
    throw new ValueProblem(`${number} is not a value of the closed enum ${fullName}; known: ${names.join(', ')}`);
  }
  return number;
}

function stringBytes(tokens: ScalarTokens, expected: string, typed: Typed): Uint8Array {
  if (tokens.kind !== 'string' || tokens.bytes === undefined || tokens.negative) {
    throw typed(`expected ${expected}, got ${describeTokens(tokens)}`);
  }
  return tokens.bytes;
}
