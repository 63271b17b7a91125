/** Reading protobuf text format: each piece of syntax, each scalar type, defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProtobufText } from '../../../../src/model/protobuf-text';
import { ScalarsType, SettingsType } from './text-format-schema';

type Msg = Record<string, unknown>;
const parse = (text: string): Msg => parseProtobufText<Msg>(ScalarsType, text);
const parse2 = (text: string): Msg => parseProtobufText<Msg>(SettingsType, text);

describe('parseProtobufText syntax', () => {
  it('skips # comments and whitespace, and takes name: value', () => {
    const m = parse('# header\n  i32: 5 # trailing\n\n\ttext: "x"\r\n# end');
    assert.equal(m.i32, 5);
    assert.equal(m.text, 'x');
  });

  it('takes message fields as name { }, name: { } and name < >', () => {
    for (const text of ['child { i32: 1 }', 'child: { i32: 1 }', 'child < i32: 1 >', 'child: < i32: 1 >']) {
      assert.equal((parse(text).child as Msg).i32, 1, text);
    }
  });

  it('takes repeated fields as repeated entries and as [a, b] lists, mixed and empty', () => {
    assert.deepEqual(parse('ints: 1 ints: [2, 3] ints: [] ints: 4').ints, [1, 2, 3, 4]);
    assert.deepEqual(parse('texts: ["a", \'b\'] texts: "c"').texts, ['a', 'b', 'c']);
    const m = parse('children [ { i32: 1 }, < i32: 2 > ] children { i32: 3 } children: [ { i32: 4 } ]');
    assert.deepEqual((m.children as Msg[]).map((c) => c.i32), [1, 2, 3, 4]);
  });

  it('takes , and ; after a field', () => {
    const m = parse('i32: 1, u32: 2; child { s32: -3; }, text: "t";');
    assert.deepEqual([m.i32, m.u32, (m.child as Msg).s32, m.text], [1, 2, -3, 't']);
  });

  it('reads strings: both quotes, adjacent literals, C, octal, hex and unicode escapes, UTF-8', () => {
    assert.equal(parse('text: "a" \'b\' "c"').text, 'abc');
    assert.equal(parse('text: "\\a\\b\\f\\n\\r\\t\\v\\\\\\\'\\"\\?"').text, '\x07\b\f\n\r\t\v\\\'"?');
    assert.equal(parse('text: "\\101\\60\\0"').text, 'A0\0');
    assert.equal(parse('text: "\\x41\\x4a\\xA"').text, 'AJ\n');
    assert.equal(parse('text: "\\u00e9\\U0001F600\\ud83d\\ude00"').text, 'é😀😀');
    assert.equal(parse('text: "\\303\\251"').text, 'é', 'octal bytes form UTF-8');
    assert.equal(parse('text: "日本 é"').text, '日本 é');
    assert.deepEqual(parse('raw: "\\xff\\000a"').raw, Uint8Array.from([0xff, 0, 0x61]));
  });

  it('reads integers in decimal, hex and octal, negative too', () => {
    const m = parse('i32: -0x10 u32: 0xFFFFFFFF s32: 010 f32: 0 sf32: -2147483648 i64: -9007199254740991 u64: 9007199254740991 s64: -07 f64: 0x1f sf64: -1');
    assert.deepEqual([m.i32, m.u32, m.s32, m.f32, m.sf32, m.i64, m.u64, m.s64, m.f64, m.sf64],
      [-16, 4294967295, 8, 0, -2147483648, -9007199254740991, 9007199254740991, -7, 31, -1]);
    assert.equal(typeof m.i64, 'number');
  });

  it('reads floats: decimals, exponents, an f suffix, inf, -inf, nan, integers', () => {
    const values = (text: string) => { const m = parse(`db: ${text} fl: ${text}`); return [m.db, m.fl]; };
    assert.deepEqual(values('1.5'), [1.5, 1.5]);
    assert.deepEqual(values('1e5'), [1e5, 1e5]);
    assert.deepEqual(values('-2.5E-3'), [-2.5e-3, Math.fround(-2.5e-3)]);
    assert.deepEqual(values('1.5f'), [1.5, 1.5]);
    assert.deepEqual(values('.25'), [0.25, 0.25]);
    assert.deepEqual(values('7'), [7, 7]);
    assert.deepEqual(values('inf'), [Infinity, Infinity]);
    assert.deepEqual(values('-inf'), [-Infinity, -Infinity]);
    assert.deepEqual(values('-Infinity'), [-Infinity, -Infinity]);
    assert.ok(Number.isNaN(parse('db: nan').db));
    assert.equal(parse('fl: 0.1').fl, Math.fround(0.1), 'float is rounded to 32 bits');
  });

  it('reads bools as true/false/True/False/t/f/1/0', () => {
    const cases: [string, boolean][] = [['true', true], ['True', true], ['t', true], ['1', true], ['false', false], ['False', false], ['f', false], ['0', false]];
    for (const [text, value] of cases) assert.equal(parse(`ok: ${text}`).ok, value, text);
  });

  it('reads enums by name and by number; an open enum takes unknown numbers', () => {
    assert.equal(parse('color: BLUE').color, 2);
    assert.equal(parse('color: 1').color, 1);
    assert.equal(parse('color: 42').color, 42);
    assert.equal(parse2('mode: FAST').mode, 1);
    assert.equal(parse2('mode: 2').mode, 2);
  });

  it('sets oneof members and proto3 optional fields', () => {
    assert.equal(parse('right: 3').right, 3);
    const m = parse('maybe: 0');
    assert.equal(m.maybe, 0);
    assert.ok(Object.prototype.hasOwnProperty.call(m, 'maybe'));
  });

  it('leaves absent fields at protobufjs defaults, proto2 [default] values included', () => {
    const m = parse2('on: true');
    assert.deepEqual([m.level, m.label, m.mode, m.on, m.list], [7, 'none', 2, true, []]);
    assert.ok(!Object.prototype.hasOwnProperty.call(m, 'level'), 'absent fields are not own properties');
    const empty = parse('');
    assert.deepEqual([empty.i32, empty.text, empty.ok, empty.child, empty.ints], [0, '', false, null, []]);
  });

  it('returns a message of the given type (protobufjs can encode it)', () => {
    const m = parse('i32: 150 text: "hi" ints: [1, 2] child { ok: true }');
    const back = ScalarsType.decode(ScalarsType.encode(m).finish()) as unknown as Msg;
    assert.deepEqual([back.i32, back.text, back.ints, (back.child as Msg).ok], [150, 'hi', [1, 2], true]);
  });
});
