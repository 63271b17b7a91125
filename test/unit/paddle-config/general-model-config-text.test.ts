/** The text form: parsing Paddle's layout, writing it back, and located parse errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ServingError } from '../../../src/core/errors';
import {
  createGeneralModelConfig, formatGeneralModelConfigText, parseGeneralModelConfigText,
} from '../../../src/model/paddle-config';
import { DEEPFM_CONFIG_TEXT } from './deepfm-config-fixture';

const FILE = 'model/serving_server_conf.prototxt';

function parseError(text: string): ServingError {
  try {
    parseGeneralModelConfigText(text, FILE);
  } catch (err) {
    assert.ok(err instanceof ServingError, `expected a ServingError; got ${String(err)}`);
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    return err;
  }
  assert.fail('expected the parse to fail');
}

describe('parseGeneralModelConfigText', () => {
  it('parses the DeepFM config into 27 feeds and 1 fetch', () => {
    const config = parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, FILE);
    assert.equal(config.feedVar.length, 27);
    assert.equal(config.fetchVar.length, 1);
    assert.deepEqual(config.feedVar.map((v) => v.name), [...Array.from({ length: 26 }, (_, i) => `C${i + 1}`), 'dense_input']);
    const c7 = config.feedVar[6]!;
    assert.deepEqual([c7.name, c7.aliasName, c7.isLodTensor, c7.feedType, c7.shape], ['C7', 'C7', false, 0, [1]]);
    const dense = config.feedVar[26]!;
    assert.deepEqual([dense.feedType, dense.shape], [1, [13]]);
    const fetch = config.fetchVar[0]!;
    assert.deepEqual([fetch.name, fetch.aliasName, fetch.fetchType, fetch.shape], ['sigmoid_0.tmp_0', 'sigmoid_0.tmp_0', 1, [1]]);
  });

  it('accepts comments, list syntax and angle brackets as protobuf text does', () => {
    const config = parseGeneralModelConfigText('# a comment\nfeed_var < name: "x" shape: [2, -1] >\n', FILE);
    assert.deepEqual(config.feedVar[0]!.shape, [2, -1]);
  });

  it('keeps alias_name when it differs from name', () => {
    const config = parseGeneralModelConfigText('feed_var { name: "x_real" alias_name: "x" }\n', FILE);
    assert.equal(config.feedVar[0]!.name, 'x_real');
    assert.equal(config.feedVar[0]!.aliasName, 'x');
  });

  it('names the file, line and field for an unknown field', () => {
    const text = 'feed_var {\n  name: "C1"\n  feed_typo: 0\n}\n';
    assert.match(parseError(text).message, /^model\/serving_server_conf\.prototxt:3: .*unknown field "feed_typo".*FeedVar/);
  });

  it('names the file, line and field when feed_type is a string', () => {
    const text = 'feed_var {\n  name: "C1"\n  alias_name: "C1"\n  feed_type: "int64"\n}\n';
    const message = parseError(text).message;
    assert.match(message, /^model\/serving_server_conf\.prototxt:4: field "feed_type": expected an integer/);
    assert.match(message, /feed_type: "int64"/);
  });

  it('names the field of a bad value on a line holding several fields', () => {
    const message = parseError('feed_var { name: "a" shape: 1.5 feed_type: 1 }\n').message;
    assert.match(message, /^model\/serving_server_conf\.prototxt:1: field "shape": expected an integer, got "1\.5"/);
  });

  it('names the field and the bound of an out-of-range value', () => {
    const message = parseError('feed_var {\n  shape: 99999999999\n}\n').message;
    assert.match(message, /prototxt:2: .*FeedVar\.shape.*out of range/);
  });

  it('names the file and line of a syntax error', () => {
    const text = 'feed_var {\n  name: "C1"\n}\nfeed_var\n  name: "C2"\n}\n';
    assert.match(parseError(text).message, /^model\/serving_server_conf\.prototxt:5: expected "\{" or "<"/);
  });

  it('names the file and line of an unquoted string', () => {
    assert.match(parseError('fetch_var {\n  name: sigmoid\n}\n').message, /prototxt:2: field "name": expected a string.*name: sigmoid/);
  });

  it('reports an unclosed block at the end of the file', () => {
    const message = parseError('feed_var {\n  name: "C1"\n\n').message;
    assert.match(message, /^model\/serving_server_conf\.prototxt:2: unexpected end of input, expected "\}"/);
  });
});

describe('formatGeneralModelConfigText', () => {
  it('writes the DeepFM config byte for byte in Paddle layout', () => {
    const config = parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, FILE);
    assert.equal(formatGeneralModelConfigText(config), DEEPFM_CONFIG_TEXT);
  });

  it('writes every field explicitly and one shape line per dimension', () => {
    const config = createGeneralModelConfig({ feedVar: [{ name: 'ids', shape: [-1, 4] }], fetchVar: [] });
    assert.equal(
      formatGeneralModelConfigText(config),
      'feed_var {\n  name: "ids"\n  alias_name: "ids"\n  is_lod_tensor: false\n  feed_type: 0\n  shape: -1\n  shape: 4\n}\n',
    );
  });

  it('round-trips aliases and string escapes', () => {
    const config = createGeneralModelConfig({
      feedVar: [{ name: 'in"put', aliasName: 'x', feedType: 1, shape: [3] }],
      fetchVar: [{ name: 'out', aliasName: 'prob', fetchType: 1, shape: [1] }],
    });
    const back = parseGeneralModelConfigText(formatGeneralModelConfigText(config), FILE);
    assert.equal(back.feedVar[0]!.name, 'in"put');
    assert.equal(back.feedVar[0]!.aliasName, 'x');
    assert.equal(back.fetchVar[0]!.aliasName, 'prob');
  });
});
