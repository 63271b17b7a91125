import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, attr, littleEndianBytes } from '../../../../src/model/onnx/onnx-graph-builder';
import { readOnnxModelInfo } from '../../../../src/model/onnx/read-onnx-model-info';
import { writeHalfPlusTwoModel, writeModelWithInputs } from '../../../helpers/model-fixtures';

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-builder-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('half_plus_two runs in ONNX Runtime with a dynamic batch', withDir(async (dir) => {
  const session = await ort.InferenceSession.create(writeHalfPlusTwoModel(dir));
  for (const xs of [[1, 2, 3], [10]]) {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(xs), [xs.length, 1]) });
    assert.deepEqual([...(out.y!.data as Float32Array)], xs.map((x) => 0.5 * x + 2));
    assert.deepEqual(out.y!.dims, [xs.length, 1]);
  }
  await session.release();
}));

test('writeModelWithInputs: any inputs, output = sigmoid(row sums)', withDir(async (dir) => {
  const path = writeModelWithInputs(dir, [
    { name: 'ids', dtype: 'int64', dims: [-1, 2] },
    { name: 'x', dtype: 'float32', dims: ['batch', 3] },
    { name: 'flag', dtype: 'int32', dims: [-1] },
  ], { outputName: 'score' });
  const info = readOnnxModelInfo(path);
  assert.deepEqual(info.inputs.map((i) => [i.name, i.dtype, i.dims]), [['ids', 'int64', [-1, 2]], ['x', 'float32', [-1, 3]], ['flag', 'int32', [-1]]]);
  assert.equal(info.idRanges.size, 0, 'no tables, so no id ranges');
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({
    ids: new ort.Tensor('int64', BigInt64Array.of(1n, 2n, -3n, 0n), [2, 2]),
    x: new ort.Tensor('float32', Float32Array.of(0.5, 0, 0, 0, 0, 1), [2, 3]),
    flag: new ort.Tensor('int32', Int32Array.of(0, 1), [2]),
  });
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  const y = out.score!.data as Float32Array;
  assert.ok(Math.abs(y[0]! - sigmoid(3.5)) < 1e-6 && Math.abs(y[1]! - sigmoid(-1)) < 1e-6, `got ${[...y]}`);
  await session.release();
}));

test('attributes keep their ONNX kind (int vs float) and metadata is written sorted', () => {
  const g = OnnxGraphBuilder.create();
  const x = g.addInput('x', 'float32', ['batch', 4]);
  g.op('LeakyRelu', [x], { alpha: attr.float(0.25) }, 'y');
  g.addOutput('y', 'float32', ['batch', 4]);
  const proto = g.toModelProto({ producerName: 'p', metadata: { b: '2', a: '1' } }) as {
    metadata_props: { key: string }[]; graph: { node: { attribute: { type: number; f?: number }[] }[] };
  };
  assert.deepEqual(proto.metadata_props.map((m) => m.key), ['a', 'b']);
  assert.deepEqual(proto.graph.node[0]!.attribute[0], { name: 'alpha', type: 1, f: 0.25 });
  assert.deepEqual(readOnnxModelInfo(g.toBytes({ producerName: 'p', metadata: { b: '2', a: '1' } })).metadata, { a: '1', b: '2' });
});

test('builder errors name the tensor and the problem', () => {
  const g = OnnxGraphBuilder.create();
  g.addInput('x', 'float32', ['batch', 2]);
  assert.throws(() => g.op('Relu', ['nope']), /input "nope" is not defined yet/);
  assert.throws(() => g.addInput('x', 'int64', [1]), /tensor "x" is already defined/);
  assert.throws(() => g.addInitializer('w', 'float32', [2, 2], new Float64Array(4)), /float32 needs a Float32Array; got Float64Array/);
  assert.throws(() => g.addInitializer('w', 'int64', [3], new BigInt64Array(2)), /dims \[3\] need 3 elements; got 2/);
  g.addOutput('missing', 'float32', ['batch', 2]);
  assert.throws(() => g.toBytes({ producerName: 'p' }), /graph output "missing" is not produced/);
  const h = OnnxGraphBuilder.create();
  h.op('Identity', [h.addInput('x', 'float32', [1])], {}, 'y');
  h.addOutput('y', 'float32', [1]);
  assert.throws(() => h.toBytes({ producerName: 'p', opsetVersion: 11 }), /opsetVersion must be an integer >= 13; got 11/);
});

test('initializers are stored as little-endian raw bytes', withDir(async (dir) => {
  const g = OnnxGraphBuilder.create();
  g.addInitializer('w', 'float32', [2], Float32Array.of(1, -2));
  const x = g.addInput('x', 'float32', [2]);
  g.op('Add', [x, 'w'], {}, 'y');
  g.addOutput('y', 'float32', [2]);
  const bytes = g.toBytes({ producerName: 'p' });
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian) must appear verbatim.
  assert.ok(Buffer.from(bytes).includes(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])));
  assert.deepEqual([...littleEndianBytes(Int32Array.of(1))], [1, 0, 0, 0]);
  const path = join(dir, 'm.onnx');
  writeFileSync(path, bytes);
  assert.deepEqual(readFileSync(path), Buffer.from(bytes));
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1), [2]) });
  assert.deepEqual([...(out.y!.data as Float32Array)], [2, -1]);
  await session.release();
}));
