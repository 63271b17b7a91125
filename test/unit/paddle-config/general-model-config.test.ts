/** Config files: the repo's DeepFM files, directory lookup, text <-> binary, file errors. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Code, ServingError } from '../../../src/core/errors';
import {
  CONFIG_FILE_NAMES, findGeneralModelConfigFile, formatGeneralModelConfigText,
  parseGeneralModelConfigText, readGeneralModelConfig, readGeneralModelConfigFromDir,
  readModelSignatureFromDir, serializeGeneralModelConfigBinary, writeGeneralModelConfig,
} from '../../../src/model/paddle-config';
import { DEEPFM_CONFIG_TEXT, REPO_ROOT, makeTempDir } from './deepfm-config-fixture';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServingError, `expected a ServingError; got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

describe("the repository's DeepFM config files", () => {
  const files = [
    'serving_server/serving_server_conf.prototxt',
    'serving_server/serving_server_conf.stream.prototxt',
    'serving_client/serving_client_conf.prototxt',
    'serving_client/serving_client_conf.stream.prototxt',
  ];

  for (const file of files) {
    it(`${file} holds the DeepFM config`, () => {
      const config = readGeneralModelConfig(path.join(REPO_ROOT, file));
      assert.equal(formatGeneralModelConfigText(config), DEEPFM_CONFIG_TEXT);
    });
  }

  it('the text files are exactly the documented layout', () => {
    for (const file of [files[0]!, files[2]!]) {
      assert.equal(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'), DEEPFM_CONFIG_TEXT, file);
    }
  });

  it('the stream files are the serialized text config', () => {
    const expected = Buffer.from(serializeGeneralModelConfigBinary(parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, 'doc')));
    for (const file of [files[1]!, files[3]!]) {
      assert.ok(fs.readFileSync(path.join(REPO_ROOT, file)).equals(expected), file);
    }
  });

  it('serving_server maps onto a 27-input, 1-output signature', () => {
    const signature = readModelSignatureFromDir(path.join(REPO_ROOT, 'serving_server'));
    assert.equal(signature.inputs.length, 27);
    assert.deepEqual(signature.inputs[0], { name: 'C1', alias: 'C1', dtype: 'int64', shape: [1] });
    assert.deepEqual(signature.inputs[26], { name: 'dense_input', alias: 'dense_input', dtype: 'float32', shape: [13] });
    assert.deepEqual(signature.outputs, [{ name: 'sigmoid_0.tmp_0', alias: 'sigmoid_0.tmp_0', dtype: 'float32', shape: [1] }]);
  });
});

describe('reading and writing config files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  const aliased = {
    feedVar: [{ name: 'ids_real', aliasName: 'ids', feedType: 0, shape: [4] }],
    fetchVar: [{ name: 'prob_real', aliasName: 'prob', fetchType: 1, shape: [1] }],
  };

  it('round-trips text <-> binary through writeGeneralModelConfig', () => {
    const { textPath, binaryPath } = writeGeneralModelConfig(dir, aliased, { kind: 'server' });
    assert.equal(path.basename(textPath), 'serving_server_conf.prototxt');
    assert.equal(path.basename(binaryPath), 'serving_server_conf.stream.prototxt');
    const fromText = readGeneralModelConfig(textPath);
    const fromBinary = readGeneralModelConfig(binaryPath);
    assert.deepEqual(fromBinary, fromText);
    assert.equal(fromText.feedVar[0]!.aliasName, 'ids');
    assert.equal(fromBinary.fetchVar[0]!.name, 'prob_real');
    assert.equal(formatGeneralModelConfigText(fromBinary), fs.readFileSync(textPath, 'utf8'));
  });

  it('writes the client pair for kind "client"', () => {
    writeGeneralModelConfig(dir, aliased, { kind: 'client' });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['serving_client_conf.prototxt', 'serving_client_conf.stream.prototxt']);
  });

  it('recognises a binary config even under a text file name', () => {
    const bytes = serializeGeneralModelConfigBinary(parseGeneralModelConfigText(DEEPFM_CONFIG_TEXT, 'doc'));
    const file = path.join(dir, 'serving_server_conf.prototxt');
    fs.writeFileSync(file, bytes);
    assert.equal(readGeneralModelConfig(file).feedVar.length, 27);
  });

  it('prefers the server text file, then the client text file, then the stream files', () => {
    writeGeneralModelConfig(dir, { feedVar: [{ name: 'client' }], fetchVar: [] }, { kind: 'client' });
    fs.rmSync(path.join(dir, 'serving_client_conf.prototxt'));
    assert.equal(readGeneralModelConfigFromDir(dir).feedVar[0]!.name, 'client');
    writeGeneralModelConfig(dir, { feedVar: [{ name: 'client' }], fetchVar: [] }, { kind: 'client' });
    fs.writeFileSync(path.join(dir, 'serving_server_conf.stream.prototxt'), new Uint8Array());
    assert.equal(path.basename(findGeneralModelConfigFile(dir)), 'serving_client_conf.prototxt');
    writeGeneralModelConfig(dir, { feedVar: [{ name: 'server' }], fetchVar: [] }, { kind: 'server' });
    assert.equal(readGeneralModelConfigFromDir(dir).feedVar[0]!.name, 'server');
  });

  it('names every file it looked for when a directory has no config', () => {
    const err = thrown(() => readGeneralModelConfigFromDir(dir));
    assert.equal(err.code, Code.NOT_FOUND);
    assert.ok(err.message.includes(dir), err.message);
    for (const name of CONFIG_FILE_NAMES) assert.ok(err.message.includes(name), `${name} missing from: ${err.message}`);
  });

  it('says when the directory itself is missing', () => {
    const missing = path.join(dir, 'nope');
    const err = thrown(() => readGeneralModelConfigFromDir(missing));
    assert.equal(err.code, Code.NOT_FOUND);
    assert.match(err.message, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
  });

  it('names a missing config file', () => {
    const file = path.join(dir, 'serving_server_conf.prototxt');
    const err = thrown(() => readGeneralModelConfig(file));
    assert.equal(err.code, Code.NOT_FOUND);
    assert.ok(err.message.includes(file), err.message);
  });

  it('names the file and line of a text error', () => {
    const file = path.join(dir, 'serving_server_conf.prototxt');
    fs.writeFileSync(file, 'feed_var {\n  name: "C1"\n  shape: 1\n  colour: "red"\n}\n');
    const err = thrown(() => readGeneralModelConfig(file));
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    assert.ok(err.message.startsWith(`${file}:4: `), err.message);
    assert.match(err.message, /unknown field "colour"/);
  });

  it('rejects fields the schema does not define in a binary file, naming the file and var', () => {
    const file = path.join(dir, 'serving_server_conf.stream.prototxt');
    // feed_var { name: "a"  <field 9, varint 1> }
    fs.writeFileSync(file, Uint8Array.from([0x0a, 0x05, 0x0a, 0x01, 0x61, 0x48, 0x01]));
    const err = thrown(() => readGeneralModelConfig(file));
    assert.ok(err.message.startsWith(`${file}: feed_var[0]: unknown field number 9`), err.message);
  });

  it('rejects a truncated binary file, naming it', () => {
    const file = path.join(dir, 'serving_server_conf.stream.prototxt');
    fs.writeFileSync(file, Uint8Array.from([0x0a, 0x10, 0x0a, 0x01]));
    const err = thrown(() => readGeneralModelConfig(file));
    assert.ok(err.message.startsWith(`${file}: invalid binary GeneralModelConfig`), err.message);
  });
});
