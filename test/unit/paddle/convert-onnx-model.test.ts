/**
 * `rec-serving convert`: configs derived from the ONNX graph, aliases applied, files as Paddle's
 * converter writes them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readGeneralModelConfig, toModelSignature } from '../../../src/model/paddle-config';
import { convertOnnxModel } from '../../../src/paddle/convert/convert-onnx-model';
import { writeTinyDeepFm } from '../../helpers/model-fixtures';
import { makeTempDir } from '../../helpers/test-server';

describe('convertOnnxModel', () => {
  it('writes serving_server (model + text + binary conf) and serving_client confs from the graph', () => {
    const source = makeTempDir('convert-src');
    const { path: modelPath } = writeTinyDeepFm(source);
    const out = makeTempDir('convert-out');
    const result = convertOnnxModel({ modelPath, servingServerDir: path.join(out, 'serving_server'), servingClientDir: path.join(out, 'serving_client'), fetchAliasNames: ['prob'] });
    for (const file of result.files) assert.ok(fs.existsSync(file), file);
    const text = fs.readFileSync(path.join(out, 'serving_server', 'serving_server_conf.prototxt'), 'utf8');
    assert.match(text, /^feed_var \{\n {2}name: "C1"\n {2}alias_name: "C1"\n {2}is_lod_tensor: false\n {2}feed_type: 0\n {2}shape: 1\n\}/);
    assert.match(text, /feed_var \{\n {2}name: "dense_input"\n {2}alias_name: "dense_input"\n {2}is_lod_tensor: false\n {2}feed_type: 1\n {2}shape: 13\n\}/);
    assert.match(text, /fetch_var \{\n {2}name: "sigmoid_0.tmp_0"\n {2}alias_name: "prob"\n {2}is_lod_tensor: false\n {2}fetch_type: 1\n {2}shape: 1\n\}\n$/);
    const fromBinary = toModelSignature(readGeneralModelConfig(path.join(out, 'serving_client', 'serving_client_conf.stream.prototxt')));
    assert.equal(fromBinary.inputs.length, 27);
    assert.equal(fromBinary.outputs[0].alias, 'prob');
    assert.deepEqual(fs.readFileSync(path.join(out, 'serving_server', 'model.onnx')), fs.readFileSync(modelPath));
  });

  it('refuses alias lists of the wrong length and duplicate aliases', () => {
    const source = makeTempDir('convert-src');
    const { path: modelPath } = writeTinyDeepFm(source);
    const out = makeTempDir('convert-out');
    const options = { modelPath, servingServerDir: path.join(out, 's'), servingClientDir: path.join(out, 'c') };
    assert.throws(() => convertOnnxModel({ ...options, fetchAliasNames: ['a', 'b'] }), /--fetch_alias_names has 2 names but the model has 1 outputs \(sigmoid_0.tmp_0\)/);
    assert.throws(() => convertOnnxModel({ ...options, feedAliasNames: Array.from({ length: 27 }, () => 'x') }), /alias "x" is given twice/);
    assert.equal(fs.existsSync(path.join(out, 's')), false);
  });
});
