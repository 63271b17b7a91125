/** Mapping a GeneralModelConfig onto ModelSignature, and every rejection naming its var. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ServingError } from '../../../src/core/errors';
import type { DType } from '../../../src/core/tensor';
import {
  type FeedVarInit, createGeneralModelConfig, fromModelSignature, parseGeneralModelConfigText,
  toModelSignature,
} from '../../../src/model/paddle-config';
import { DEEPFM_CONFIG_TEXT } from './deepfm-config-fixture';

const OUT = { name: 'out', fetchType: 1, shape: [1] };

function signatureOf(feed: FeedVarInit) {
  return toModelSignature(createGeneralModelConfig({ feedVar: [feed], fetchVar: [OUT] }));
}

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServingError, `expected a ServingError; got ${String(err)}`);
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    return err.message;
  }
  assert.fail('expected an error');
}

describe('toModelSignature', () => {
  it('maps the DeepFM config', () => {
    const signature = toModelSignature(parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, 'doc'));
    assert.equal(signature.inputs.length, 27);
    assert.ok(signature.inputs.slice(0, 26).every((s) => s.dtype === 'int64' && s.shape.length === 1 && s.shape[0] === 1));
    assert.deepEqual(signature.inputs[26], { name: 'dense_input', alias: 'dense_input', dtype: 'float32', shape: [13] });
    assert.deepEqual(signature.outputs, [{ name: 'sigmoid_0.tmp_0', alias: 'sigmoid_0.tmp_0', dtype: 'float32', shape: [1] }]);
    assert.ok(Object.isFrozen(signature) && Object.isFrozen(signature.inputs) && Object.isFrozen(signature.inputs[0]));
  });

  const codes: [number, DType][] = [
    [0, 'int64'], [1, 'float32'], [2, 'int32'], [3, 'float64'], [5, 'float16'], [7, 'uint8'], [8, 'int8'], [9, 'bool'],
  ];
  for (const [code, dtype] of codes) {
    it(`maps type code ${code} to ${dtype}`, () => {
      assert.equal(signatureOf({ name: 'x', feedType: code, shape: [2] }).inputs[0]!.dtype, dtype);
    });
  }

  it('keeps aliases that differ from names, and defaults an empty alias to the name', () => {
    const config = parseGeneralModelConfigText(
      'feed_var { name: "x_real" alias_name: "x" feed_type: 1 shape: 3 }\n'
      + 'feed_var { name: "y" feed_type: 1 shape: -1 }\n'
      + 'fetch_var { name: "save_infer_model/scale_0.tmp_0" alias_name: "prob" fetch_type: 1 shape: 1 }\n', 'doc');
    const signature = toModelSignature(config);
    assert.deepEqual(signature.inputs.map((s) => [s.name, s.alias, s.shape]), [['x_real', 'x', [3]], ['y', 'y', [-1]]]);
    assert.deepEqual([signature.outputs[0]!.name, signature.outputs[0]!.alias], ['save_infer_model/scale_0.tmp_0', 'prob']);
  });

  for (const [code, label] of [[20, 'STRING'], [4, 'INT16'], [6, 'BF16']] as const) {
    it(`rejects ${label} (code ${code}) naming the var and the type`, () => {
      const message = rejection(() => signatureOf({ name: 'words', feedType: code, shape: [1] }));
      assert.match(message, new RegExp(`feed_var "words" feed_type: type ${code} \\(${label}\\) is not supported by this server`));
    });
  }

  it('rejects an unknown type code', () => {
    const message = rejection(() => toModelSignature(createGeneralModelConfig({
      feedVar: [{ name: 'x', feedType: 1, shape: [1] }], fetchVar: [{ name: 'score', fetchType: 42, shape: [1] }],
    })));
    assert.match(message, /fetch_var "score" fetch_type: unknown type code 42/);
  });

  it('rejects a LoD tensor naming the var', () => {
    const message = rejection(() => signatureOf({ name: 'words', isLodTensor: true, feedType: 0, shape: [-1] }));
    assert.match(message, /feed_var "words": is_lod_tensor is true; LoD .* not supported/);
  });

  it('rejects duplicate names and aliases naming the var', () => {
    assert.match(
      rejection(() => toModelSignature(createGeneralModelConfig({
        feedVar: [{ name: 'C1', shape: [1] }, { name: 'C1', aliasName: 'other', shape: [1] }], fetchVar: [OUT],
      }))),
      /feed_var "C1": duplicate name "C1"/,
    );
    assert.match(
      rejection(() => toModelSignature(createGeneralModelConfig({
        feedVar: [{ name: 'a', aliasName: 'x', shape: [1] }, { name: 'b', aliasName: 'x', shape: [1] }], fetchVar: [OUT],
      }))),
      /feed_var "b": duplicate alias_name "x"/,
    );
  });

  it('rejects bad shapes, empty names and empty var lists', () => {
    assert.match(rejection(() => signatureOf({ name: 'x', shape: [0] })), /feed_var "x": shape dimensions must be positive or -1; got \[0\]/);
    assert.match(rejection(() => signatureOf({ name: '' })), /feed_var\[0\]: name is empty/);
    assert.match(
      rejection(() => toModelSignature(createGeneralModelConfig({ feedVar: [{ name: 'x' }], fetchVar: [] }))),
      /no fetch_var entries/,
    );
  });

  it('lists every problem at once, prefixed by the source file', () => {
    const message = rejection(() => toModelSignature(createGeneralModelConfig({
      feedVar: [{ name: 'a', feedType: 20 }, { name: 'b', isLodTensor: true }], fetchVar: [OUT],
    }), { source: 'serving_server/serving_server_conf.prototxt' }));
    assert.match(message, /^serving_server\/serving_server_conf\.prototxt: invalid model config: /);
    assert.match(message, /feed_var "a" feed_type: type 20 \(STRING\)/);
    assert.match(message, /feed_var "b": is_lod_tensor/);
  });
});

describe('fromModelSignature', () => {
  it('is the inverse of toModelSignature', () => {
    const signature = toModelSignature(parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, 'doc'));
    assert.deepEqual(toModelSignature(fromModelSignature(signature)), signature);
  });
});
