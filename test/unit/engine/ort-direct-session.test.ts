/**
 * CPU sessions driven through onnxruntime-node's native binding: the same scores as the public
 * InferenceSession on the same model and feeds (packed and unpacked inputs), ONNX Runtime's
 * error for a bad feed as a rejection, a released session refusing to run, and other providers
 * kept on the public API.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { prepareModelImage, sessionBytes } from '../../../src/engine/model-image';
import { runPathFor } from '../../../src/engine/ort-direct-session';
import { OrtSessionRunner } from '../../../src/engine/ort-session-runner';
import { toOrtSessionOptions } from '../../../src/engine/session-config';
import { criteoFeed } from '../../helpers/feeds';
import { writeTinyDeepFm } from '../../helpers/model-fixtures';
import { makeTempDir } from '../../helpers/test-server';

const CPU = toOrtSessionOptions({ intraOpThreads: 1, allowSpinning: false, graphOptimizationLevel: 'all', memoryOptimization: true, executionProviders: [{ name: 'cpu' }] });
const OUTPUT = 'sigmoid_0.tmp_0';

async function publicScores(bytes: Uint8Array, feed: ReturnType<typeof criteoFeed>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, CPU as ort.InferenceSession.SessionOptions);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feed)) feeds[name] = new ort.Tensor(t.dtype, t.data as ort.Tensor.DataType, t.dims as number[]);
    return (await session.run(feeds, [OUTPUT]))[OUTPUT].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('OrtSessionRunner through the native binding', () => {
  it('is the path of CPU sessions here, and other providers keep the public API', () => {
    assert.equal(runPathFor(CPU), 'native binding');
    assert.equal(runPathFor({ ...CPU, executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'] }), 'public API (not a CPU-only session)');
  });

  it('scores exactly as the public InferenceSession, with and without packed column inputs', async () => {
    const written = writeTinyDeepFm(makeTempDir('direct'));
    for (const packColumns of [false, true]) {
      const { image } = prepareModelImage(written.path, written.bytes, { packColumns });
      const runner = await OrtSessionRunner.create(sessionBytes(image), CPU, image.packings);
      assert.equal(runner.runPath, 'native binding');
      try {
        for (const rows of [1, 5, 37]) {
          const feed = criteoFeed(rows, 1000, rows);
          const { outputs, computeMicros } = await runner.run(feed, [OUTPUT]);
          assert.deepEqual(outputs[OUTPUT].dims, [rows, 1]);
          assert.deepEqual(outputs[OUTPUT].data, await publicScores(written.bytes, feed), `rows ${rows}, packed ${packColumns}`);
          assert.ok(computeMicros > 0);
        }
      } finally {
        await runner.release();
      }
    }
  });

  it("rejects with ONNX Runtime's message for a bad feed, and refuses to run once released", async () => {
    const written = writeTinyDeepFm(makeTempDir('direct-bad'));
    const runner = await OrtSessionRunner.create(written.bytes, CPU);
    const feed = criteoFeed(5);
    const short = { ...feed, dense_input: { dtype: 'float32' as const, dims: [5, 13], data: new Float32Array(3) } };
    await assert.rejects(runner.run(short, [OUTPUT]), /expected 260, got 12|not enough space/);
    assert.deepEqual((await runner.run(feed, [OUTPUT])).outputs[OUTPUT].dims, [5, 1], 'the session still serves after a bad feed');
    await runner.release();
    await assert.rejects(runner.run(feed, [OUTPUT]));
  });
});
