/**
 * config.pbtxt subset: fields applied (version policies, batching, instances, inputs/outputs,
 * default_model_filename), fields refused with the reason, unknown fields and syntax errors
 * refused by the schema-aware parser; version selection by policy.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readModelConfig } from '../../../src/repository/model-config-pbtxt';
import { missingSpecific, selectVersions } from '../../../src/repository/version-policy';
import { makeTempDir } from '../../helpers/test-server';

function configOf(text: string | undefined, name = 'ctr') {
  const dir = path.join(makeTempDir('pbtxt'), name);
  fs.mkdirSync(dir);
  if (text !== undefined) fs.writeFileSync(path.join(dir, 'config.pbtxt'), text);
  return () => readModelConfig(dir, name);
}

describe('config.pbtxt', () => {
  it('defaults without a file: latest 1, model.onnx, the server flags', () => {
    const config = configOf(undefined)();
    assert.deepEqual(config.versionPolicy, { kind: 'latest', count: 1 });
    assert.equal(config.modelFileName, 'model.onnx');
    assert.equal(config.source, undefined);
    assert.deepEqual(config.batching, {});
  });

  it('applies the supported fields', () => {
    const config = configOf([
      'name: "ctr"', 'backend: "onnxruntime"', 'max_batch_size: 64', 'default_model_filename: "ranker.onnx"',
      'version_policy: { specific: { versions: [ 2, 5 ] } }',
      'input [ { name: "x" data_type: TYPE_INT64 dims: [ 1 ] }, { name: "d" data_type: TYPE_FP32 dims: [ -1 ] } ]',
      'output [ { name: "p" data_type: TYPE_FP32 dims: [ 1 ] } ]',
      'instance_group [ { count: 2 kind: KIND_CPU }, { count: 1 } ]',
      'dynamic_batching { max_queue_delay_microseconds: 300 preferred_batch_size: [ 32, 8 ] }',
    ].join('\n'))();
    assert.deepEqual(config.versionPolicy, { kind: 'specific', versions: ['2', '5'] });
    assert.equal(config.maxBatchSize, 64);
    assert.equal(config.modelFileName, 'ranker.onnx');
    assert.equal(config.instanceCount, 3);
    assert.deepEqual(config.batching, { enabled: true, maxQueueDelayMicros: 300, preferredBatchSizes: [8, 32], maxBatchSize: 64 });
    assert.deepEqual(config.declared?.inputs.map((s) => `${s.name}:${s.dtype}:[${s.shape.join(',')}]`), ['x:int64:[1]', 'd:float32:[-1]']);
    assert.equal(configOf('version_policy: { all { } }')().versionPolicy.kind, 'all');
    assert.deepEqual(configOf('version_policy { latest { num_versions: 3 } }')().versionPolicy, { kind: 'latest', count: 3 });
  });

  it('refuses what it cannot honour, every problem at once, naming the file', () => {
    assert.throws(configOf([
      'name: "other"', 'platform: "pytorch_libtorch"', 'max_batch_size: 0',
      'input [ { name: "s" data_type: TYPE_STRING dims: [ 1 ] optional: true } ]',
      'instance_group [ { kind: KIND_GPU gpus: [ 0 ] } ]',
      'dynamic_batching { preserve_ordering: true }',
      'version_policy: { latest: { num_versions: 0 } }',
    ].join('\n')), (error: Error) => {
      assert.match(error.message, /config\.pbtxt cannot be served/);
      for (const expected of [/name "other" differs from the model's directory name "ctr"/, /platform "pytorch_libtorch" is not supported/, /max_batch_size 0/, /data_type TYPE_STRING is not supported/,
        /optional inputs are not supported/, /KIND_GPU/, /preserve_ordering is not supported/, /num_versions must be >= 1; got 0/, /declare both input and output/]) assert.match(error.message, expected);
      return true;
    });
  });

  it('refuses unknown fields and syntax errors through the schema-aware parser', () => {
    assert.throws(configOf('model_warmup [ { name: "w" } ]'), /field "model_warmup" is not supported by rec-serving/);
    assert.throws(configOf('max_batch_size: "lots"'), /config\.pbtxt: /);
    assert.throws(configOf('instance_group [ { kind: KIND_TPU } ]'), /config\.pbtxt: /);
  });
});

describe('config.pbtxt through the protobufjs text-format reader', () => {
  it('names the unsupported field and its line and column, nested ones too', () => {
    assert.throws(configOf('max_batch_size: 8\ndynamic_batching {\n  default_queue_policy { }\n}'),
      /config\.pbtxt: field "default_queue_policy" is not supported by rec-serving \(line 3, column 3: unknown field "default_queue_policy" in inference\.ModelDynamicBatching; known fields: preferred_batch_size, /);
    assert.throws(configOf('input [ { name: "x" dims: [ 1 ] data_type: TYPE_TPU } ]'), /config\.pbtxt: line 1, column 44: field "data_type": unknown value "TYPE_TPU" of enum inference\.DataType/);
  });

  it('refuses a written max_batch_size 0 wherever it stands on its line', () => {
    assert.throws(configOf('name: "ctr" max_batch_size: 0'), /max_batch_size 0 \(a model without a batch dimension\) is not supported/);
    assert.equal(configOf('name: "ctr"')().maxBatchSize, undefined);
  });

  it('reads 64-bit fields as numbers up to 2^53 - 1 and refuses larger ones with the reason', () => {
    assert.deepEqual(configOf('version_policy { specific { versions: [ 9007199254740991 ] } }')().versionPolicy, { kind: 'specific', versions: ['9007199254740991'] });
    assert.equal(configOf('dynamic_batching { max_queue_delay_microseconds: 0x10 }')().batching.maxQueueDelayMicros, 16);
    assert.throws(configOf('version_policy { specific { versions: [ 9007199254740992 ] } }'),
      /config\.pbtxt: line 1, column 41: field "versions": Specific\.versions is int64; 9007199254740992 is beyond ±9007199254740991/);
  });
});

describe('version policies', () => {
  const available = ['1', '10', '2', '9'];
  it('latest N takes the numerically highest', () => assert.deepEqual(selectVersions({ kind: 'latest', count: 2 }, available), ['10', '9']));
  it('all takes every version, newest first', () => assert.deepEqual(selectVersions({ kind: 'all' }, available), ['10', '9', '2', '1']));
  it('specific takes the listed ones present, and names the missing', () => {
    assert.deepEqual(selectVersions({ kind: 'specific', versions: ['2', '3', '10'] }, available), ['10', '2']);
    assert.deepEqual(missingSpecific({ kind: 'specific', versions: ['2', '3'] }, available), ['3']);
  });
});
