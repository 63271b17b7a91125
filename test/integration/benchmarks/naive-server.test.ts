/**
 * The naive baseline server on the real path: started as a separate process on port 0 with the
 * tiny DeepFM, one Paddle gRPC call from rec-client's transport returns the same probabilities as
 * a direct in-process ONNX Runtime run of the same rows. Checks behaviour, never timing.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createPaddleGrpcTransport } from '../../../src/client/paddle-grpc-transport';
import type { TransportResult } from '../../../src/client/prediction-transport';
import { startServerProcess, type ServerProcess } from '../../../benchmarks/lib/server-process';
import { criteoFeed } from '../../helpers/feeds';
import { makeTinyDeepFmDir } from '../../helpers/test-server';

const NAIVE_SERVER = path.join(__dirname, '..', '..', '..', 'benchmarks', 'naive', 'naive-server.js');

let server: ServerProcess;
let modelPath: string;

before(async () => {
  modelPath = path.join(makeTinyDeepFmDir().dir, 'model.onnx');
  server = await startServerProcess(NAIVE_SERVER, ['--model', modelPath, '--port', '0'], { startTimeoutMs: 30_000 });
});

after(async () => {
  await server?.stop();
});

test('one Paddle gRPC call returns the probabilities of an in-process ORT run of the same rows', async () => {
  const feed = criteoFeed(5);
  const transport = createPaddleGrpcTransport(server.address, 10_000);
  let served: TransportResult;
  try {
    served = await transport.predict(feed, [], 1);
  } finally {
    transport.close();
  }
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feed)) feeds[name] = new ort.Tensor(t.dtype as 'int64' | 'float32', t.data as BigInt64Array | Float32Array, [...t.dims]);
    const expected = await session.run(feeds);
    assert.deepEqual(Object.keys(served.outputs), session.outputNames);
    for (const name of session.outputNames) {
      const got = served.outputs[name];
      assert.equal(got.dtype, 'float32');
      assert.deepEqual(got.dims, [5, 1]);
      const want = expected[name].data as Float32Array;
      assert.equal(got.data.length, 5);
      for (let i = 0; i < 5; i++) {
        const p = Number(got.data[i]);
        assert.ok(p > 0 && p < 1, `probability ${p} at row ${i} is in (0,1)`);
        assert.ok(Math.abs(p - want[i]) <= 1e-5, `row ${i}: served ${p}, in-process ${want[i]}`);
      }
    }
  } finally {
    await session.release();
  }
});

test('the naive server stops on SIGTERM', async () => {
  await server.stop();
  assert.throws(() => process.kill(server.pid, 0), /ESRCH/);
});
