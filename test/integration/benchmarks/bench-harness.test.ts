/**
 * The benchmark harness on the real path, at test size: load levels against the real server
 * (tiny DeepFM with Criteo's vocabulary, real gRPC, worker pool), one in-process matrix pass over
 * generated data, and the echo server started as a separate process. Checks behaviour, never
 * timing.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createGrpcTransport } from '../../../src/client/grpc-transport';
import { RecServingClient } from '../../../src/client/rec-serving-client';
import { generateCriteoSlotFiles } from '../../../src/data/generate-criteo';
import { runMatrixRowPass } from '../../../benchmarks/inprocess/matrix-row-pass';
import { startServerProcess } from '../../../benchmarks/lib/server-process';
import { PERF_ANALYZER_RULE } from '../../../benchmarks/lib/stability';
import { loadRequestBatches } from '../../../benchmarks/served/load-batches';
import { runLoadLevel } from '../../../benchmarks/served/load-level';
import { makeTempDir, makeTinyDeepFmDir, startTestServer, type TestServer } from '../../helpers/test-server';

let server: TestServer;
let modelDir: string;
let dataPath: string;

before(async () => {
  modelDir = makeTinyDeepFmDir({ vocabularySize: 1000001 }).dir;
  dataPath = path.join(makeTempDir('bench-data'), 'criteo.txt');
  await generateCriteoSlotFiles({ outPath: dataPath, lines: 203, seed: 7 });
  server = await startTestServer({ modelDir });
});

after(async () => {
  await server?.stop();
});

/** Met by any windows with traffic, so the level ends after exactly `windows` windows. */
const MET_ON_TRAFFIC = { ...PERF_ANALYZER_RULE, windows: 2, checkLatency: false, tolerance: Number.POSITIVE_INFINITY };
/** Never met (no deviation is below -1), so the level runs all `maxWindows`. */
const NEVER_MET = { ...PERF_ANALYZER_RULE, checkLatency: false, tolerance: -1 };

test('a closed-loop level measures requests, rows and the server timing split over its last windows', async () => {
  const batches = await loadRequestBatches(dataPath, 5, 10);
  assert.equal(batches.length, 10);
  const transport = createGrpcTransport(server.target, 10_000);
  try {
    const result = await runLoadLevel(transport, batches, { load: { kind: 'concurrency', concurrency: 2 }, windowMs: 150, maxWindows: 4, rule: NEVER_MET, fetch: [] });
    assert.ok(result.requests > 0, 'some requests completed');
    assert.equal(result.rows, result.requests * 5);
    assert.equal(result.latency.count, result.requests);
    assert.deepEqual(result.failures, {});
    assert.equal(result.stable, false, 'a rule that is never met leaves the level unstable');
    assert.equal(result.windowsMeasured, 4, 'an unstable level runs maxWindows windows');
    assert.ok(result.serverComputeMicros > 0 && result.serverMicros >= result.serverComputeMicros);
    assert.ok(result.averageBatchRows >= 5 && result.averageBatchRows <= 10, `two clients of 5 rows on one worker: a run holds one request or both (${result.averageBatchRows})`);
    assert.ok(result.clientSendRecvMicros >= 0);
  } finally {
    transport.close();
  }
});

test('a closed-loop level stops at the first window where the stability rule is met', async () => {
  const batches = await loadRequestBatches(dataPath, 5, 10);
  const transport = createGrpcTransport(server.target, 10_000);
  try {
    const result = await runLoadLevel(transport, batches, { load: { kind: 'concurrency', concurrency: 2 }, windowMs: 150, maxWindows: 6, rule: MET_ON_TRAFFIC, fetch: [] });
    assert.equal(result.stable, true);
    assert.equal(result.windowsMeasured, MET_ON_TRAFFIC.windows, 'no window is measured after the rule is met');
    assert.ok(result.requests > 0);
  } finally {
    transport.close();
  }
});

test('an open-loop level sends Poisson arrivals and counts failures by code instead of stopping', async () => {
  const batches = await loadRequestBatches(dataPath, 5, 4);
  const transport = createGrpcTransport(server.target, 10_000);
  try {
    const ok = await runLoadLevel(transport, batches, { load: { kind: 'rate', requestsPerSecond: 100 }, windowMs: 200, maxWindows: 3, rule: MET_ON_TRAFFIC, fetch: [], seed: 3 });
    assert.equal(ok.load.kind, 'rate');
    assert.ok(ok.requests > 0);
    assert.deepEqual(ok.failures, {});
    const bad = await runLoadLevel(transport, batches, { load: { kind: 'rate', requestsPerSecond: 50 }, windowMs: 150, maxWindows: 3, rule: MET_ON_TRAFFIC, fetch: ['no_such_output'] });
    assert.equal(bad.requests, 0);
    assert.ok((bad.failures.INVALID_ARGUMENT ?? 0) + (bad.failures.NOT_FOUND ?? 0) > 0, JSON.stringify(bad.failures));
    assert.equal(bad.stable, false, 'windows without a completed request never count as stable');
    assert.equal(bad.windowsMeasured, 3);
  } finally {
    transport.close();
  }
});

test('loading batches from a file shorter than one batch says so', async () => {
  await assert.rejects(loadRequestBatches(dataPath, 2048, 1), /holds fewer than 2048 lines: no batch of 2048 can be formed/);
});

test('an in-process matrix row reads every line; missing providers are reported with the reason', async () => {
  const modelPath = path.join(modelDir, 'model.onnx');
  const row = { provider: 'cpu' as const, mkldnn: false, threads: 1, batchSize: 5, memoryOptimization: true, irOptimization: true };
  const measured = await runMatrixRowPass({ row, modelPath, dataPath, allowSpinning: false });
  assert.equal(measured.status, 'measured');
  if (measured.status !== 'measured') return;
  assert.equal(measured.lines, 203, 'the short last batch is run too');
  assert.equal(measured.batches, 41);
  assert.equal(measured.perBatch.count, 41);
  assert.ok(measured.totalMs >= measured.computeMs);
  const mkldnn = await runMatrixRowPass({ row: { ...row, mkldnn: true }, modelPath, dataPath, allowSpinning: false });
  assert.equal(mkldnn.status, 'unavailable');
  if (mkldnn.status === 'unavailable') assert.match(mkldnn.reason, /^MKLDNN \(oneDNN\): /);
  const cuda = await runMatrixRowPass({ row: { ...row, provider: 'cuda' }, modelPath, dataPath, allowSpinning: false });
  // Either way the row says what happened: measured on a CUDA host, the loader's reason elsewhere.
  if (cuda.status === 'unavailable') assert.match(cuda.reason, /^cuda provider: session creation failed: \S/);
  else assert.deepEqual([cuda.status, cuda.lines, cuda.batches], ['measured', 203, 41]);
});

test('the echo server runs as its own process and answers Predict with a canned batch', async () => {
  const echo = await startServerProcess(path.join(__dirname, '..', '..', '..', 'benchmarks', 'overhead', 'echo-server.js'), ['--rows', '5']);
  const client = RecServingClient.connect(echo.address);
  try {
    const batches = await loadRequestBatches(dataPath, 5, 1);
    const result = await client.predict(batches[0].feed);
    assert.deepEqual(result.outputs['sigmoid_0.tmp_0'].dims, [5, 1]);
    assert.equal(result.server.executedBatchRows, 5);
  } finally {
    client.close();
    await echo.stop();
  }
});
