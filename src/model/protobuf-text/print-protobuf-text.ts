/**
 * Writes a protobufjs message as protobuf text format, in the layout protobuf C++ and Paddle
 * Serving write: fields in field-number order, one `name: value` per line, a message field as
 * `name {` ... `}` with its fields indented by two spaces, a repeated field as one line per
 * element, and a newline after every line.
 *
 * Contract: a field is written when it is set: a field with presence (proto2, proto3 `optional`,
 * oneof members, messages) when the message holds it as its own non-null property, any other
 * scalar when it differs from its zero value, a repeated field per element. Enums print by name
 * (the number when unknown), floats as the shortest text that reads back to the same value
 * (`inf`, `-inf`, `nan`), strings double-quoted with `\\`, `\"`, `\n`, `\r`, `\t` and `\xHH` for
 * other controls (other characters raw UTF-8), bytes likewise with `\xHH` for bytes that are not
 * UTF-8. `parseProtobufText()` reads the output back to an equal message. A non-empty map throws.
 */
import * as protobuf from 'protobufjs';

export function printProtobufText(type: protobuf.Type, message: object): string {
  const lines: string[] = [];
  printFields(type, message as Record<string, unknown>, '', lines);
  return lines.map((line) => `${line}\n`).join('');
}

function printFields(type: protobuf.Type, message: Record<string, unknown>, indent: string, lines: string[]): void {
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const field of fields) {
    field.resolve();
    const name = field.protoName ?? field.name;
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      if (Object.keys(value).length === 0) continue;
      throw new Error(`${type.name}.${name}: map fields are not supported by the text-format writer`);
    }
    const values: unknown[] = field.repeated ? Array.from(value as ArrayLike<unknown>) : isSet(field, message, value) ? [value] : [];
    for (const element of values) {
      if (field.resolvedType instanceof protobuf.Type) {
        lines.push(`${indent}${name} {`);
        printFields(field.resolvedType, element as Record<string, unknown>, `${indent}  `, lines);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${name}: ${scalarText(field, element)}`);
      }
    }
  }
}

function isSet(field: protobuf.Field, message: object, value: unknown): boolean {
  if (field.hasPresence) return Object.prototype.hasOwnProperty.call(message, field.name);
  if (field.type === 'bytes') return (value as ArrayLike<number>).length > 0; // protobufjs may hold an Array
  if (typeof value === 'object') return String(value) !== '0'; // a Long
  return !Object.is(value, 0) && value !== '' && value !== false; // -0 is written, as protobuf C++ does
}

function scalarText(field: protobuf.Field, value: unknown): string {
  if (field.resolvedType instanceof protobuf.Enum) {
    return field.resolvedType.valuesById[value as number] ?? String(value);
  }
  switch (field.type) {
    case 'string': return quoteString(String(value));
    case 'bytes': return quoteBytes(Uint8Array.from(value as ArrayLike<number>));
    case 'bool': return value ? 'true' : 'false';
    case 'float': return floatText(Math.fround(value as number), true);
    case 'double': return floatText(value as number, false);
    default: return String(value); // integers; a Long prints its decimal form too
  }
}

function escapeCodePoint(code: number): string | undefined {
  switch (code) {
    case 0x5c: return '\\\\';
    case 0x22: return '\\"';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    default:
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
      if (code >= 0x80 && code <= 0x9f) return `\\u${code.toString(16).padStart(4, '0')}`;
      return undefined;
  }
}

function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) out += escapeCodePoint(ch.codePointAt(0)!) ?? ch;
  return `${out}"`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8 runs as a string would print; any other byte as `\xHH`. */
function quoteBytes(value: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < value.length;) {
    const size = utf8SequenceLength(value, i);
    if (size === 0) {
      out += `\\x${value[i]!.toString(16).padStart(2, '0')}`;
      i++;
      continue;
    }
    const ch = utf8.decode(value.subarray(i, i + size));
    out += escapeCodePoint(ch.codePointAt(0)!) ?? ch;
    i += size;
  }
  return `${out}"`;
}

/** Length of the valid UTF-8 sequence at `i`, or 0. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  const size = b0 < 0x80 ? 1 : b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (size <= 1 || i + size > bytes.length) return size === 1 ? 1 : 0;
  try {
    utf8.decode(bytes.subarray(i, i + size));
    return size;
  } catch {
    return 0;
  }
}

function floatText(value: number, single: boolean): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Object.is(value, -0)) return '-0';
  if (!single) return String(value);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(value);
}
