/**
 * Hostile input ends quickly: with an error at the first bad token, or (for large valid input) a
 * result, in time linear in the text. The bound is generous (a busy machine is fine); a
 * quadratic pass over 1 MB would take minutes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as protobuf from 'protobufjs';
import { parseProtobufText, ProtobufTextError } from '../../../../src/model/protobuf-text';
import { parseGeneralModelConfigText } from '../../../../src/model/paddle-config';
import { NodeType, ScalarsType } from './text-format-schema';

const MB = 1 << 20;
const BOUND_MS = 5_000;

function timed<T>(fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < BOUND_MS, `took ${elapsed.toFixed(0)} ms; the bound is ${BOUND_MS} ms`);
  return result;
}

function refusedAt(type: protobuf.Type, text: string, line: number, column: number, reason: RegExp): void {
  timed(() => assert.throws(() => parseProtobufText(type, text), (err: unknown) => {
    assert.ok(err instanceof ProtobufTextError, String(err));
    assert.deepEqual([err.line, err.column], [line, column], err.message);
    assert.match(err.reason, reason);
    return true;
  }));
}

describe('hostile text-format input', () => {
  it('1 MB of "[" or "{" is refused at the first one', () => {
    refusedAt(ScalarsType, '['.repeat(MB), 1, 1, /extension and Any fields/);
    refusedAt(ScalarsType, '{'.repeat(MB), 1, 1, /expected a field name of Scalars, got "\{"/);
    refusedAt(ScalarsType, `child ${'{'.repeat(MB)}`, 1, 8, /expected a field name of Scalars or "\}", got "\{"/);
    refusedAt(ScalarsType, `ints: ${'['.repeat(MB)}`, 1, 8, /expected a value for field "ints", got "\["/);
  });

  it('nesting deeper than the limit is refused without exhausting the stack', () => {
    const depth = 200_000;
    refusedAt(NodeType, 'next { '.repeat(depth), 1, 1 + 7 * 100 + 5, /messages are nested deeper than 100 levels \(at field "next"\)/);
    refusedAt(NodeType, 'more [ { '.repeat(depth), 1, 1 + 9 * 100 + 7, /nested deeper than 100 levels \(at field "more"\)/);
    const ok = parseProtobufText<{ next: unknown }>(NodeType, `${'next { '.repeat(100)}value: 1${' }'.repeat(100)}`);
    assert.ok(ok.next !== null, '100 levels are read');
    assert.throws(() => parseProtobufText(NodeType, 'next { next { value: 1 } }', { maxDepth: 1 }), /nested deeper than 1 levels/);
  });

  it('a 1 MB string, 100k adjacent literals and 100k repeated values are read in linear time', () => {
    const big = 'x'.repeat(MB);
    assert.equal(timed(() => parseProtobufText<{ text: string }>(ScalarsType, `text: "${big}"`)).text.length, MB);
    const escaped = '\\x41'.repeat(MB / 4);
    assert.equal(timed(() => parseProtobufText<{ text: string }>(ScalarsType, `text: "${escaped}"`)).text, 'A'.repeat(MB / 4));
    assert.equal(timed(() => parseProtobufText<{ text: string }>(ScalarsType, `text: ${'"ab" '.repeat(100_000)}`)).text.length, 200_000);
    assert.equal(timed(() => parseProtobufText<{ ints: number[] }>(ScalarsType, 'ints: 7\n'.repeat(100_000))).ints.length, 100_000);
    assert.equal(timed(() => parseProtobufText<{ ints: number[] }>(ScalarsType, `ints: [${'1,'.repeat(100_000)}2]`)).ints.length, 100_001);
  });

  it('an unterminated 1 MB string, a 1 MB number and 100k comment lines end quickly', () => {
    refusedAt(ScalarsType, `text: "${'y'.repeat(MB)}`, 1, MB + 8, /unterminated string \(opened at line 1, column 7\)/);
    refusedAt(ScalarsType, `i64: ${'9'.repeat(MB)}`, 1, 6, /integer literal of 1048576 characters is out of range/);
    refusedAt(ScalarsType, `${'# comment\n'.repeat(100_000)}bad`, 100_001, 1, /unknown field "bad"/);
  });

  it('a Paddle config error on a 1 MB line quotes a bounded excerpt', () => {
    const text = `feed_var { name: "a" ${'shape: 1 '.repeat(MB / 9)}colour: 1 }`;
    const err = timed(() => { try { parseGeneralModelConfigText(text, 'big.prototxt'); } catch (e) { return e as Error; } return undefined; });
    assert.ok(err !== undefined);
    assert.match(err.message, /^big\.prototxt:1: unknown field "colour"/);
    assert.ok(err.message.length < 600, `message of ${err.message.length} characters`);
  });
});
