import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder, attr } from '../../../../src/model/onnx/onnx-graph-builder';
import { onnxModelProtoType } from '../../../../src/model/onnx/onnx-schema';
import { readOnnxModelInfo } from '../../../../src/model/onnx/read-onnx-model-info';
import { writeCorruptModel, writeTinyDeepFm } from '../../../helpers/model-fixtures';

function inTempDir(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-info-'));
    try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('reads a good model from a path', inTempDir((dir) => {
  const { path } = writeTinyDeepFm(dir);
  const info = readOnnxModelInfo(path);
  assert.equal(info.inputs.length, 27);
  assert.deepEqual(info.inputs[0], { name: 'C1', dtype: 'int64', dims: [-1, 1] });
  assert.deepEqual(info.inputs[26], { name: 'dense_input', dtype: 'float32', dims: [-1, 13] });
  assert.deepEqual(info.outputs, [{ name: 'sigmoid_0.tmp_0', dtype: 'float32', dims: [-1, 1] }]);
  assert.equal(info.opsetVersion, 17);
  assert.equal(info.producerName, 'rec-serving');
  assert.equal(info.metadata['rec_serving.architecture'], 'deepfm');
  assert.deepEqual(info.idRanges.get('C26'), { min: 0n, max: 999n });
}));

for (const kind of ['garbage', 'truncated', 'empty'] as const) {
  test(`model file that is ${kind} is rejected with an error naming the file`, inTempDir((dir) => {
    const path = writeCorruptModel(dir, kind);
    assert.throws(() => readOnnxModelInfo(path), (err: Error) => {
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, /is not a valid ONNX model: /);
      if (kind === 'empty') assert.match(err.message, /empty/);
      return true;
    });
  }));
}

test('every truncation of a model is rejected, never misread', () => {
  const g = OnnxGraphBuilder.create();
  g.op('Identity', [g.addInput('x', 'float32', ['batch', 1])], {}, 'y');
  g.addOutput('y', 'float32', ['batch', 1]);
  const bytes = g.toBytes({ producerName: 'p' });
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => readOnnxModelInfo(bytes.subarray(0, n), `cut-${n}`), new RegExp(`^Error: cut-${n} is not a valid ONNX model`));
  }
  assert.equal(readOnnxModelInfo(bytes).inputs[0]!.name, 'x');
});

test('a missing file gives an error naming it', () => {
  assert.throws(() => readOnnxModelInfo('/nonexistent/dir/model.onnx'), /cannot read ONNX model \/nonexistent\/dir\/model\.onnx/);
});

test('bytes are labelled "<bytes>" (or the given source) in errors', () => {
  assert.throws(() => readOnnxModelInfo(new Uint8Array(0)), /^Error: <bytes> is not a valid ONNX model/);
  assert.throws(() => readOnnxModelInfo(Uint8Array.of(1, 2, 3), 'upload.onnx'), /^Error: upload\.onnx is not a valid ONNX model/);
});

/** A graph exercising the id-range rules. */
function idRangeGraph(metadata: Record<string, string> = {}): Uint8Array {
  const g = OnnxGraphBuilder.create();
  const table = (name: string, rows: number, width: number): string =>
    g.addInitializer(name, 'float32', [rows, width], new Float32Array(rows * width));
  const t50 = table('t50', 50, 2);
  const t100 = table('t100', 100, 1);
  const t30 = table('t30', 30, 4);
  const t9 = table('t9', 9, 3);
  const one = g.addInitializer('one', 'int64', [1], BigInt64Array.of(1n));
  const shape = g.addInt64s('shape', [-1]);
  const axes = g.addInt64s('axes', [1]);
  const outs: string[] = [];
  // a: int32 -> Cast(int64) -> Unsqueeze -> Reshape -> Identity -> Gather(t50): [0, 49]
  const a = g.addInput('a', 'int32', ['batch']);
  const a1 = g.op('Reshape', [g.op('Unsqueeze', [g.op('Cast', [a], { to: attr.int(7) }), axes]), shape]);
  outs.push(g.op('Gather', [t50, g.op('Identity', [a1])], { axis: attr.int(0) }));
  // b: two tables -> intersection [0, 29]
  const b = g.addInput('b', 'int64', ['batch', 1]);
  outs.push(g.op('Gather', [t100, b]), g.op('Gather', [t30, g.op('Squeeze', [b, axes])]));
  // c: an arithmetic op in between -> no range
  const c = g.addInput('c', 'int64', ['batch', 1]);
  outs.push(g.op('Gather', [t9, g.op('Add', [c, one])]));
  // d: Gather on axis 1 -> no range; e: Cast to float -> no range
  const d = g.addInput('d', 'int64', ['batch', 1]);
  outs.push(g.op('Gather', [t9, d], { axis: attr.int(1) }));
  const e = g.addInput('e', 'int64', ['batch', 1]);
  outs.push(g.op('Cast', [e], { to: attr.int(1) }));
  // f, h: Concat -> Flatten -> Gather(t9): [0, 8] for both
  const f = g.addInput('f', 'int64', ['batch', 1]);
  const h = g.addInput('h', 'int64', ['batch', 1]);
  outs.push(g.op('Gather', [t9, g.op('Flatten', [g.op('Concat', [f, h], { axis: attr.int(1) })])]));
  // s: used as a Reshape *shape*, not data -> no range
  const s = g.addInput('s', 'int64', [2]);
  outs.push(g.op('Reshape', [t9, s]));
  outs.forEach((o, i) => g.addOutput(o, 'float32', ['batch', i]));
  return g.toBytes({ producerName: 'test', metadata });
}

test('id ranges follow shape-only ops to Gather(axis 0) on initializers and intersect', () => {
  const info = readOnnxModelInfo(idRangeGraph());
  assert.deepEqual(Object.fromEntries([...info.idRanges].map(([k, v]) => [k, `${v.min}:${v.max}`])), {
    a: '0:49', b: '0:29', f: '0:8', h: '0:8',
  });
});

test('metadata rec_serving.id_range.<input> overrides or adds a range', () => {
  const info = readOnnxModelInfo(idRangeGraph({ 'rec_serving.id_range.b': '5:10', 'rec_serving.id_range.c': '-3:7' }));
  assert.deepEqual(info.idRanges.get('b'), { min: 5n, max: 10n });
  assert.deepEqual(info.idRanges.get('c'), { min: -3n, max: 7n });
  assert.deepEqual(info.idRanges.get('a'), { min: 0n, max: 49n });
});

test('a malformed or misdirected id_range override is an error', () => {
  assert.throws(() => readOnnxModelInfo(idRangeGraph({ 'rec_serving.id_range.b': '10' }), 'm.onnx'),
    /m\.onnx: metadata rec_serving\.id_range\.b must be "min:max" with integers; got "10"/);
  assert.throws(() => readOnnxModelInfo(idRangeGraph({ 'rec_serving.id_range.b': '9:1' })), /min <= max; got "9:1"/);
  assert.throws(() => readOnnxModelInfo(idRangeGraph({ 'rec_serving.id_range.zz': '0:1' })), /names "zz", which is not an integer graph input/);
});

test('initializers that old exporters list as graph inputs are not reported as inputs', () => {
  const g = OnnxGraphBuilder.create();
  const w = g.addInitializer('w', 'float32', [1], Float32Array.of(2));
  g.op('Mul', [g.addInput('x', 'float32', ['batch', 1]), w], {}, 'y');
  g.addOutput('y', 'float32', ['batch', 1]);
  const proto = g.toModelProto({ producerName: 'p', irVersion: 3 }) as { graph: { input: unknown[] } };
  proto.graph.input.push({ name: 'w', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }] } } } });
  const type = onnxModelProtoType();
  const info = readOnnxModelInfo(type.encode(type.fromObject(proto)).finish());
  assert.deepEqual(info.inputs.map((i) => i.name), ['x']);
});

test('an unsupported element type is named in the error; unknown dims read as -1', () => {
  const g = OnnxGraphBuilder.create();
  g.op('Identity', [g.addInput('x', 'float32', ['batch', 1])], {}, 'y');
  g.addOutput('y', 'float32', ['batch', 1]);
  const proto = g.toModelProto({ producerName: 'p' }) as {
    graph: { input: { type: { tensor_type: { elem_type: number; shape: { dim: unknown[] } } } }[] };
  };
  const type = onnxModelProtoType();
  proto.graph.input[0]!.type.tensor_type.shape.dim = [{}, { dim_value: 0 }];
  assert.deepEqual(readOnnxModelInfo(type.encode(type.fromObject(proto)).finish()).inputs[0]!.dims, [-1, 0]);
  proto.graph.input[0]!.type.tensor_type.elem_type = 8;
  assert.throws(() => readOnnxModelInfo(type.encode(type.fromObject(proto)).finish(), 'strings.onnx'),
    /strings\.onnx: input "x" has element type STRING \(8\), which is not supported/);
});
