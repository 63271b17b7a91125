/** Every refusal of the text-format reader, with its line and column and the field or type named. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProtobufText, ProtobufTextError } from '../../../../src/model/protobuf-text';
import { ScalarsType, SettingsType } from './text-format-schema';
import type * as protobuf from 'protobufjs';

function refusal(text: string, type: protobuf.Type = ScalarsType): ProtobufTextError {
  try {
    parseProtobufText(type, text);
  } catch (err) {
    assert.ok(err instanceof ProtobufTextError, `expected a ProtobufTextError; got ${String(err)}`);
    assert.equal(err.message, `line ${err.line}, column ${err.column}: ${err.reason}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

/** Asserts the position and that the reason matches. */
function refuses(text: string, line: number, column: number, reason: RegExp, type?: protobuf.Type): ProtobufTextError {
  const err = refusal(text, type);
  assert.match(err.reason, reason);
  assert.deepEqual([err.line, err.column], [line, column], `position of: ${err.message}`);
  return err;
}

describe('parseProtobufText refuses', () => {
  it('an unknown field, naming it, the type and the known fields', () => {
    const err = refuses('i32: 1\n  child {\n    colour: 2 }', 3, 5, /^unknown field "colour" in t3\.Scalars; known fields: i32, u32, /);
    assert.equal(err.unknownField, 'colour');
  });

  it('a camelCase spelling of a snake_case field (text uses the .proto names)', () => {
    refuses('level: 1\nLevel: 2', 2, 1, /unknown field "Level" in t2\.Settings/, SettingsType);
  });

  it('a value of the wrong kind, naming the field and its type', () => {
    refuses('i32: "5"', 1, 6, /^field "i32": expected an integer, got "5" \(Scalars\.i32 is int32\)$/);
    refuses('\ni32: 1.5', 2, 6, /^field "i32": expected an integer, got "1\.5" \(Scalars\.i32 is int32\)/);
    refuses('text: abc', 1, 7, /^field "text": expected a string, got "abc" \(Scalars\.text is string\)/);
    refuses('ok: yes', 1, 5, /^field "ok": expected a bool .*got "yes" \(Scalars\.ok is bool\)/);
    refuses('ok: 2', 1, 5, /field "ok": expected a bool/);
    refuses('db: "1"', 1, 5, /^field "db": expected a number, got "1" \(Scalars\.db is double\)/);
    refuses('child: 5', 1, 8, /^expected "\{" or "<" to open message field "child", got "5"/);
    refuses('raw: 5', 1, 6, /field "raw": expected a string, got "5" \(Scalars\.raw is bytes\)/);
    refuses('text: -"a"', 1, 7, /field "text": expected a string/);
  });

  it('integers out of range for each type, with the bounds', () => {
    const cases: [string, string, string][] = [
      ['i32', '2147483648', '-2147483648..2147483647'], ['i32', '-2147483649', '-2147483648..2147483647'],
      ['u32', '-1', '0..4294967295'], ['u32', '0x100000000', '0..4294967295'], ['s32', '3000000000', '-2147483648..2147483647'],
      ['f32', '-1', '0..4294967295'], ['sf32', '2147483648', '-2147483648..2147483647'],
      ['u64', '-1', '0..18446744073709551615'], ['f64', '18446744073709551616', '0..18446744073709551615'],
      ['i64', '9223372036854775808', '-9223372036854775808..9223372036854775807'],
    ];
    for (const [field, value, range] of cases) {
      const err = refuses(`${field}: ${value}`, 1, field.length + 3, new RegExp(`Scalars\\.${field} is \\w+; ${value.startsWith('0x') ? '\\d+' : value} is out of range \\(${range.replace(/\./g, '\\.')}\\)`));
      assert.match(err.reason, new RegExp(`^field "${field}": `));
    }
  });

  it('64-bit integers beyond 2^53 - 1, with the reason', () => {
    refuses('i64: 9007199254740992', 1, 6, /Scalars\.i64 is int64; 9007199254740992 is beyond ±9007199254740991 \(2\^53 - 1\).*read as JS numbers/);
    refuses('sf64: -9007199254740992', 1, 7, /beyond ±9007199254740991/);
    refuses('u64: 0xFFFFFFFFFFFFFFFF', 1, 6, /18446744073709551615 is beyond/);
  });

  it('an unknown enum name, listing the known ones; an undefined number of a closed enum', () => {
    refuses('color: PURPLE', 1, 8, /unknown value "PURPLE" of enum t3\.Color; known: RED, GREEN, BLUE/);
    refuses('mode: 3', 1, 7, /3 is not a value of the closed enum t2\.Mode; known: FAST, SAFE/, SettingsType);
    refuses('color: "RED"', 1, 8, /expected an enum name or number of t3\.Color/);
  });

  it('a non-repeated field given twice, pointing at both', () => {
    refuses('i32: 1\nchild { }\ni32: 2', 3, 1, /field "i32" of Scalars is not repeated and was already given at line 1, column 1/);
    refuses('child { }\nchild { }', 2, 1, /field "child" of Scalars is not repeated/);
  });

  it('a second member of a oneof', () => {
    refuses('left: "a"\nright: 2', 2, 1, /field "right" and field "left" \(line 1, column 1\) are both members of oneof "choice" of Scalars/);
  });

  it('a list on a non-repeated field', () => {
    refuses('i32: [1, 2]', 1, 6, /field "i32" of Scalars is not repeated; a \[ \] list is only for repeated fields/);
  });

  it('map and extension fields, which this reader does not support', () => {
    refuses('counts { key: "a" value: 1 }', 1, 1, /field "counts" of Scalars is a map; map fields are not supported/);
    refuses('[t3.ext]: 1', 1, 1, /extension and Any fields/);
  });

  it('syntax errors', () => {
    refuses('i32 5', 1, 5, /^expected ":" after field "i32", got "5"/);
    refuses('i32: 1 }', 1, 8, /^expected a field name of Scalars, got "\}"/);
    refuses('child { i32: 1 >', 1, 16, /^expected a field name of Scalars or "\}", got ">"/);
    refuses('ints: [1 2]', 1, 10, /^expected "," or "\]" in the list of field "ints", got "2"/);
    refuses('ints: [1, ]', 1, 11, /^expected a value for field "ints", got "\]"/);
    refuses('i32: 12abc', 1, 6, /^invalid number "12abc"/);
    refuses('i32: 0x', 1, 6, /^invalid number "0x"/);
    refuses('db: 1.2.3', 1, 5, /^invalid number "1\.2\.3"/);
    refuses('i32: 1 @', 1, 8, /^unexpected character "@"/);
    refuses('i32: :', 1, 6, /^expected a value for field "i32", got ":"/);
  });

  it('bad escapes and invalid UTF-8 in a string field', () => {
    refuses('text: "a\\qb"', 1, 9, /^invalid escape "\\q" in string/);
    refuses('text: "\\400"', 1, 8, /octal escape "\\400" is above \\377/);
    refuses('text: "\\xZ"', 1, 8, /"\\x" escape without hex digits/);
    refuses('text: "\\u12"', 1, 8, /"\\u" escape needs 4 hex digits/);
    refuses('text: "\\ud800"', 1, 8, /not a Unicode scalar value/);
    refuses('text: "\\xff"', 1, 7, /field "text": the string is not valid UTF-8 \(Scalars\.text is string\)/);
  });

  it('unterminated strings, at the end of the line or of the input', () => {
    refuses('text: "abc\ni32: 1', 1, 11, /^unterminated string \(opened at line 1, column 7\)/);
    refuses("text: 'abc", 1, 11, /^unterminated string \(opened at line 1, column 7\)/);
  });

  it('unterminated blocks and lists, at the end of the last token, naming the opener', () => {
    refuses('child {\n  i32: 1\n\n', 2, 9, /^unexpected end of input, expected "\}" to close "child" \(opened at line 1, column 7\)/);
    refuses('child < child < ', 1, 16, /expected ">" to close "child" \(opened at line 1, column 15\)/);
    refuses('ints: [1, 2', 1, 12, /^unexpected end of input, expected "\]" to close the list of field "ints" \(opened at line 1, column 7\)/);
    refuses('i32:', 1, 5, /^expected a value for field "i32", got end of input/);
    refuses('child', 1, 6, /^expected "\{" or "<" to open message field "child", got end of input/);
  });
});
