import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCriteoRecord } from '../../../src/data/criteo-record';
import { parseSlotLine } from '../../../src/data/slot-format';
import { formatSlotLine } from '../../helpers/slot-line';

const FIRST_SAMPLE_LINE =
  'click:0 dense_feature:0.0 dense_feature:0.00497512437811 dense_feature:0.05 dense_feature:0.08 ' +
  'dense_feature:0.207421875 dense_feature:0.028 dense_feature:0.35 dense_feature:0.08 dense_feature:0.082 ' +
  'dense_feature:0.0 dense_feature:0.4 dense_feature:0.0 dense_feature:0.08 1:737395 2:210498 3:903564 ' +
  '4:286224 5:286835 6:906818 7:906116 8:67180 9:27346 10:51086 11:142177 12:95024 13:157883 14:873363 ' +
  '15:600281 16:812592 17:228085 18:35900 19:880474 20:984402 21:100885 22:26235 23:410878 24:798162 ' +
  '25:499868 26:306163';

test('parses a PaddleRec slot line into the record', () => {
  const r = parseSlotLine(FIRST_SAMPLE_LINE);
  assert.equal(r.label, 0);
  assert.equal(r.dense.length, 13);
  assert.equal(r.sparse.length, 26);
  assert.equal(r.dense[1], Math.fround(0.00497512437811));
  assert.equal(r.dense[12], Math.fround(0.08));
  assert.equal(r.sparse[0], 737395n);
  assert.equal(r.sparse[25], 306163n);
});

test('missing slots are id 0, missing dense values 0, missing click leaves label undefined', () => {
  const r = parseSlotLine('dense_feature:0.5 3:42 26:7');
  assert.equal(r.label, undefined);
  assert.deepEqual([...r.dense], [0.5, ...new Array(12).fill(0)]);
  assert.equal(r.sparse[0], 0n);
  assert.equal(r.sparse[2], 42n);
  assert.equal(r.sparse[25], 7n);
  assert.equal(parseSlotLine('click:1 \t 1:9 \r').label, 1); // extra whitespace and CR tolerated
  assert.equal(parseSlotLine('1:9223372036854775807').sparse[0], 9223372036854775807n);
});

test('malformed lines give errors naming the line and the token', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^Error: line 7: empty line/],
    ['click:0 dense_feature', /^Error: line 7: expected a key:value token; got "dense_feature"/],
    ['click:0 :5', /^Error: line 7: expected a key:value token; got ":5"/],
    ['click:2', /^Error: line 7: click: expected 0 or 1; got "click:2"/],
    ['click:0 click:1', /^Error: line 7: click appears more than once/],
    ['dense_feature:abc', /^Error: line 7: dense_feature 1: expected a number; got "dense_feature:abc"/],
    ['dense_feature:', /^Error: line 7: dense_feature 1: expected a number/],
    [`${'dense_feature:0 '.repeat(14)}`, /^Error: line 7: expected at most 13 dense_feature tokens/],
    ['1:abc', /^Error: line 7: slot 1: expected a non-negative int64 id; got "1:abc"/],
    ['1:-5', /^Error: line 7: slot 1: expected a non-negative int64 id; got "1:-5"/],
    ['1:1.5', /^Error: line 7: slot 1: expected a non-negative int64 id/],
    ['1:9223372036854775808', /^Error: line 7: slot 1: expected a non-negative int64 id/],
    ['1:5 1:6', /^Error: line 7: slot 1 appears more than once/],
    ['27:5', /^Error: line 7: unknown key "27" in "27:5"; expected click, dense_feature or 1\.\.26/],
    ['feat_idx:5', /^Error: line 7: unknown key "feat_idx"/],
  ];
  for (const [line, message] of cases) assert.throws(() => parseSlotLine(line, 7), message, line);
});

test('formatSlotLine round-trips a record exactly', () => {
  const original = parseSlotLine(FIRST_SAMPLE_LINE);
  const text = formatSlotLine(original);
  assert.match(text, /^click:0 dense_feature:0\.0 dense_feature:0\.0049751243 /);
  assert.match(text, / 1:737395 2:210498 .* 26:306163$/);
  assert.deepEqual(parseSlotLine(text), original);

  const unlabeled = createCriteoRecord();
  unlabeled.sparse[4] = 123n;
  const line = formatSlotLine(unlabeled);
  assert.ok(!line.includes('click'));
  assert.deepEqual(parseSlotLine(line), unlabeled);
});
