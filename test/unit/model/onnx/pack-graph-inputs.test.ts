/**
 * packGraphInputs: the rewritten model takes one [rows, n] tensor for its column inputs and
 * computes exactly what the original computes (checked by running both in ONNX Runtime), through
 * Concat elimination (PaddleRec's DeepFM) or a Split node (any other graph); models it cannot
 * rewrite are left alone with the reason.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { HostTensor } from '../../../../src/core/tensor';
import { packColumnFeeds } from '../../../../src/engine/column-packing';
import { packGraphInputs } from '../../../../src/model/onnx/pack-graph-inputs';
import { criteoFeed } from '../../../helpers/feeds';
import { writeModelWithInputs, writeTinyDeepFm } from '../../../helpers/model-fixtures';
import { makeTempDir } from '../../../helpers/test-server';

const toOrt = (feeds: Record<string, HostTensor>) =>
  Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.dtype, t.data as ort.Tensor.DataType, t.dims as number[])]));

async function runBoth(original: Uint8Array, feeds: Record<string, HostTensor>, output: string) {
  const packed = packGraphInputs(original, 'test model');
  assert.ok(!('skipped' in packed), `packed: ${'skipped' in packed ? packed.skipped : ''}`);
  const before = await ort.InferenceSession.create(original);
  const after = await ort.InferenceSession.create(packed.bytes);
  const expected = (await before.run(toOrt(feeds)))[output].data as Float32Array;
  const actual = (await after.run(toOrt(packColumnFeeds(feeds, packed.packings))))[output].data as Float32Array;
  return { packed, expected, actual, afterInputs: after.inputNames };
}

describe('packGraphInputs', () => {
  it('feeds PaddleRec DeepFM ids as one [rows, 26] tensor by removing the Concat, with identical scores', async () => {
    const { path } = writeTinyDeepFm(makeTempDir('pack'));
    const { packed, expected, actual, afterInputs } = await runBoth(fs.readFileSync(path), criteoFeed(7), 'sigmoid_0.tmp_0');
    assert.equal(packed.packings.length, 1);
    assert.deepEqual(packed.packings[0].columns, Array.from({ length: 26 }, (_, i) => `C${i + 1}`));
    assert.deepEqual([...afterInputs].sort(), [packed.packings[0].packedName, 'dense_input'].sort());
    assert.deepEqual([...actual], [...expected]);
  });

  it('adds a Split for column inputs that no single Concat consumes, with identical outputs', async () => {
    const path = writeModelWithInputs(makeTempDir('pack'), [
      { name: 'a', dtype: 'float32', dims: [-1, 1] },
      { name: 'w', dtype: 'float32', dims: [-1, 3] },
      { name: 'b', dtype: 'float32', dims: [-1, 1] },
      { name: 'i', dtype: 'int64', dims: [-1, 1] },
      { name: 'j', dtype: 'int64', dims: [-1, 1] },
    ], { outputName: 'y' });
    const feeds: Record<string, HostTensor> = {
      a: { dtype: 'float32', dims: [2, 1], data: new Float32Array([0.25, -1]) },
      w: { dtype: 'float32', dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      b: { dtype: 'float32', dims: [2, 1], data: new Float32Array([0.5, 2]) },
      i: { dtype: 'int64', dims: [2, 1], data: new BigInt64Array([3n, -4n]) },
      j: { dtype: 'int64', dims: [2, 1], data: new BigInt64Array([7n, 8n]) },
    };
    const { packed, expected, actual } = await runBoth(fs.readFileSync(path), feeds, 'y');
    assert.deepEqual(packed.packings.map((p) => [p.dtype, p.columns]), [['float32', ['a', 'b']], ['int64', ['i', 'j']]]);
    assert.deepEqual([...actual], [...expected]);
  });

  it('leaves a model without two column inputs alone and says why', () => {
    const path = writeModelWithInputs(makeTempDir('pack'), [{ name: 'x', dtype: 'float32', dims: [-1, 4] }, { name: 'c', dtype: 'int64', dims: [-1, 1] }]);
    const result = packGraphInputs(fs.readFileSync(path), 'one column');
    assert.ok('skipped' in result);
    assert.match(result.skipped, /no two inputs share an element type and a \[batch, 1\] shape/);
  });

  it('leaves alone a model that does not re-encode to its own bytes (here: a field outside the schema subset)', () => {
    const { path } = writeTinyDeepFm(makeTempDir('pack'));
    const withUnknownField = Buffer.concat([fs.readFileSync(path), Buffer.from([0xa0, 0x01, 0x01])]); // field 20, varint 1
    const result = packGraphInputs(withUnknownField, 'extended.onnx');
    assert.ok('skipped' in result);
    assert.match(result.skipped, /does not re-encode to its own bytes/);
  });

  it('rejects bytes that are not a model with the decoder message', () => {
    assert.throws(() => packGraphInputs(new Uint8Array([1, 2, 3]), 'junk.onnx'), /junk\.onnx is not a valid ONNX model/);
  });
});
