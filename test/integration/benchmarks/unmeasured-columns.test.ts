/**
 * Columns a protocol never measures stay empty in the sweep's reports, never 0: Paddle's HTTP
 * answer carries only the handler time, so queue, compute and "server other" are NaN in the level
 * and empty in the perf_analyzer CSV, while gRPC Predict fills them. Real server, real levels.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createTransport } from '../../../src/client/transports';
import { generateCriteoSlotFiles } from '../../../src/data/generate-criteo';
import { PERF_ANALYZER_RULE } from '../../../benchmarks/lib/stability';
import { loadRequestBatches } from '../../../benchmarks/served/load-batches';
import { runLoadLevel } from '../../../benchmarks/served/load-level';
import { perfAnalyzerCsv, PERF_ANALYZER_COLUMNS } from '../../../benchmarks/served/sweep-report';
import { makeTempDir, makeTinyDeepFmDir, startTestServer, type TestServer } from '../../helpers/test-server';

let server: TestServer;
let dataPath: string;
before(async () => {
  dataPath = path.join(makeTempDir('unmeasured'), 'criteo.txt');
  await generateCriteoSlotFiles({ outPath: dataPath, lines: 50, seed: 3 });
  server = await startTestServer({ modelDir: makeTinyDeepFmDir({ vocabularySize: 1000001 }).dir });
});
after(() => server?.stop());

const RULE = { ...PERF_ANALYZER_RULE, windows: 1, checkLatency: false, tolerance: Number.POSITIVE_INFINITY };

test('Paddle HTTP leaves queue/compute empty; gRPC Predict fills them', async () => {
  const batches = await loadRequestBatches(dataPath, 5, 5);
  const rows = [];
  for (const mode of ['http', 'grpc']) {
    const transport = createTransport(mode, server.target, 10_000);
    try {
      const level = await runLoadLevel(transport, batches, { load: { kind: 'concurrency', concurrency: 1 }, windowMs: 100, maxWindows: 1, rule: RULE, fetch: [] });
      rows.push({ ...level, variant: 'batching on', mode, batchSize: 5 });
    } finally {
      transport.close();
    }
  }
  const [http, grpc] = rows;
  assert.ok(Number.isFinite(http.serverMicros), 'Paddle reports the handler time');
  assert.ok(Number.isNaN(http.serverQueueMicros) && Number.isNaN(http.serverComputeMicros) && Number.isNaN(http.serverOtherMicros));
  assert.ok(grpc.serverComputeMicros > 0);
  const lines = perfAnalyzerCsv(rows, 'concurrency').trim().split('\n');
  const header = lines[0].split(',');
  const cells = (line: string) => line.split(',');
  const queue = header.indexOf('Server Queue');
  const infer = header.indexOf('Server Compute Infer');
  assert.ok(queue > 0 && infer > 0 && PERF_ANALYZER_COLUMNS.includes('Server Queue'));
  const httpLine = lines.find((l) => l.includes(',http,'))!;
  const grpcLine = lines.find((l) => l.includes(',grpc,'))!;
  assert.equal(cells(httpLine)[queue], '');
  assert.equal(cells(httpLine)[infer], '');
  assert.match(cells(grpcLine)[infer], /^\d+$/);
});
