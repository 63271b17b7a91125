import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPython2Float } from '../../../src/data/float-format';
import { formatFloat32 } from '../../helpers/slot-line';

test('formatPython2Float spells floats as python2.7 str() does', () => {
  const cases: Array<[number, string]> = [
    [0, '0.0'], [1, '1.0'], [3 / 603, '0.00497512437811'], [957 / 64000, '0.014953125'],
    [1 / 64000, '1.5625e-05'], [0.05, '0.05'], [123456789012, '1.23456789012e+11'],
    [1234567890123, '1.23456789012e+12'], [2.5e-5, '2.5e-05'], [0.0001, '0.0001'], [100, '100.0'],
    [36 / 50, '0.72'], [1e22, '1e+22'], [-0.5, '-0.5'], [7 / 3, '2.33333333333'],
  ];
  for (const [x, text] of cases) assert.equal(formatPython2Float(x), text, String(x));
});

test('formatFloat32 is the shortest text that round-trips through float32', () => {
  assert.equal(formatFloat32(0), '0.0');
  assert.equal(formatFloat32(2), '2.0');
  assert.equal(formatFloat32(Math.fround(3 / 603)), '0.0049751243');
  for (const x of [0.1, 1 / 3, 1e-7, 123456.789, 3.4e38, 1.5625e-5]) {
    const f = Math.fround(x);
    assert.equal(Math.fround(Number(formatFloat32(f))), f, String(x));
  }
});

test('formatPython2Float switches to exponent form where python2.7 does', () => {
  const cases: Array<[number, string]> = [
    [12345678901, '12345678901.0'], [99999999999, '99999999999.0'], [1e11, '1e+11'],
    [123456789012.5, '1.23456789012e+11'], [1e10, '10000000000.0'], [9999999999.5, '9999999999.5'],
    [0.00012345, '0.00012345'],
  ];
  for (const [x, text] of cases) assert.equal(formatPython2Float(x), text, String(x));
});
