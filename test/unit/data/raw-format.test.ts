import assert from 'node:assert/strict';
import { test } from 'node:test';
import { criteoCategoricalId } from '../../../src/data/criteo-hash';
import { parseRawLine } from '../../../src/data/raw-format';

// The first line of PaddleRec's raw sample (tools/dataset/utils/part-0).
const RAW_LINE = [
  '0', '2', '0', '', '', '957', '45', '2', '36', '45', '1', '1', '', '',
  '05db9164', '532da141', '', '', '25c83c98', '7e0ccccf', 'a24c8c8e', '0b153874', 'a73ee510', '2e8e8e87',
  '41b3f655', '', 'ce5114a2', 'cfef1c29', 'abd8f51e', '', '07c540c4', 'bdc06043', '', '', '', 'c9d4222a',
  '32c7478e', '', '', '',
].join('\t');

test('normalises dense columns with cont_min / cont_diff, empty -> 0, no clipping', () => {
  const r = parseRawLine(RAW_LINE);
  assert.equal(r.label, 0);
  const expected = [2 / 20, 3 / 603, 0, 0, 957 / 64000, 45 / 500, 2 / 100, 36 / 50, 45 / 500, 1 / 10, 1 / 10, 0, 0];
  assert.deepEqual([...r.dense], expected.map(Math.fround));
  const big = parseRawLine(RAW_LINE.replace(/^0\t2\t/, '1\t200\t'));
  assert.equal(big.label, 1);
  assert.equal(big.dense[0], 10); // 200 / 20: above 1, kept
  assert.equal(parseRawLine(RAW_LINE.replace(/^0\t2\t0\t/, '0\t2\t-1\t')).dense[1], Math.fround(2 / 603));
});

test('hashes categorical columns 14..39, empty values included', () => {
  const r = parseRawLine(RAW_LINE);
  assert.equal(r.sparse[0], 737395n); // C1 05db9164
  assert.equal(r.sparse[1], 349915n); // C2 532da141 (python2.7)
  assert.equal(r.sparse[2], 25206n); // C3 empty: hash('16') % 1000001 (python2.7)
  assert.equal(r.sparse[25], BigInt(criteoCategoricalId(39, '')));
  assert.equal(parseRawLine(RAW_LINE, 1, { vocabularySize: 10 }).sparse[0] < 10n, true);
});

test('malformed raw lines give errors naming the line', () => {
  assert.throws(() => parseRawLine('0\t1\t2', 4), /^Error: line 4: expected 40 TAB-separated columns; got 3$/);
  assert.throws(() => parseRawLine(RAW_LINE.replace(/^0/, '2'), 4), /^Error: line 4: label \(column 0\): expected 0 or 1; got "2"$/);
  assert.throws(() => parseRawLine(RAW_LINE.replace(/^0\t2\t/, '0\tx\t'), 4), /line 4: I1 \(column 1\): expected a number or empty; got "x"/);
  assert.deepEqual(parseRawLine(`${RAW_LINE}\r`), parseRawLine(RAW_LINE));
});
