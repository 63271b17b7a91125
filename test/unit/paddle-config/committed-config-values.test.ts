/**
 * The committed config files, and inputs using every piece of text syntax, read to exactly the
 * values the previous protobuf library's text and binary readers gave; the expected
 * values were recorded from it before it was replaced.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseGeneralModelConfigText, readGeneralModelConfig } from '../../../src/model/paddle-config';
import { REPO_ROOT } from './deepfm-config-fixture';

const feed = (name: string, feedType: number, shape: number[]) => ({ name, aliasName: name, isLodTensor: false, feedType, shape });

const DEEPFM = {
  feedVar: [...Array.from({ length: 26 }, (_, i) => feed(`C${i + 1}`, 0, [1])), feed('dense_input', 1, [13])],
  fetchVar: [{ name: 'sigmoid_0.tmp_0', aliasName: 'sigmoid_0.tmp_0', isLodTensor: false, fetchType: 1, shape: [1] }],
};

describe('values read as the previous reader read them', () => {
  for (const file of [
    'serving_server/serving_server_conf.prototxt', 'serving_server/serving_server_conf.stream.prototxt',
    'serving_client/serving_client_conf.prototxt', 'serving_client/serving_client_conf.stream.prototxt',
  ]) {
    it(file, () => assert.deepEqual(readGeneralModelConfig(path.join(REPO_ROOT, file)), DEEPFM));
  }

  const cases: [string, unknown][] = [
    [
      'feed_var { name: "a\\tb\\x41\\101\\u00e9" "c" alias_name: \'q"\' is_lod_tensor: t feed_type: 0x1 shape: [ -1, 010 ] shape: 3 }; fetch_var < name: "é" >',
      { feedVar: [{ name: 'a\tbAAéc', aliasName: 'q"', isLodTensor: true, feedType: 1, shape: [-1, 8, 3] }], fetchVar: [{ name: 'é', aliasName: '', isLodTensor: false, fetchType: 0, shape: [] }] },
    ],
    [
      'feed_var: { is_lod_tensor: True feed_type: -0x7fffffff } feed_var {}',
      { feedVar: [{ name: '', aliasName: '', isLodTensor: true, feedType: -2147483647, shape: [] }, { name: '', aliasName: '', isLodTensor: false, feedType: 0, shape: [] }], fetchVar: [] },
    ],
    ['fetch_var {}', { feedVar: [], fetchVar: [{ name: '', aliasName: '', isLodTensor: false, fetchType: 0, shape: [] }] }],
    ['', { feedVar: [], fetchVar: [] }],
  ];
  for (const [text, expected] of cases) {
    it(`text ${JSON.stringify(text.slice(0, 40))}`, () => assert.deepEqual(parseGeneralModelConfigText(text, 'case'), expected));
  }
});

describe('Paddle config text errors give the line and column', () => {
  it('of an unknown field, a bad value and a syntax error', () => {
    const cases: [string, RegExp][] = [
      ['feed_var {\n  name: "C1"\n  feed_typo: 0\n}\n', /^f:3: unknown field "feed_typo" .* \(line 3, column 3: `feed_typo: 0`\)$/],
      ['feed_var {\n  shape: [1, x]\n}\n', /^f:2: field "shape": expected an integer, got "x" \(FeedVar\.shape is int32\) \(line 2, column 14: `shape: \[1, x\]`\)$/],
      ['feed_var {\n  name: "C1"\n}\n}\n', /^f:4: expected a field name of GeneralModelConfig, got "\}" \(line 4, column 1: `\}`\)$/],
      ['feed_var {\n  is_lod_tensor: yes\n}\n', /^f:2: field "is_lod_tensor": expected a bool .* \(FeedVar\.is_lod_tensor is bool\) \(line 2, column 18: /],
    ];
    for (const [text, expected] of cases) {
      assert.throws(() => parseGeneralModelConfigText(text, 'f'), (err: Error) => {
        assert.match(err.message, expected);
        return true;
      });
    }
  });
});
