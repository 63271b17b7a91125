/**
 * One server, the same 80 generated Criteo rows (the project's data generator, PaddleRec's
 * DeepFM config and model from the repository) over every protocol: Predict, Paddle's gRPC,
 * HTTP (JSON and proto) and baidu_std, and the Open Inference Protocol over gRPC (our client,
 * and a grpc-js client from the published proto with raw and typed contents) and HTTP (our
 * client with binary data and with JSON, and a hand-built JSON body). Every answer must hold
 * identical float32 probabilities. Also rec-client's kserve modes print the same fetch maps as grpc.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadClientConfig } from '../../src/client/client-config';
import { KServeHttpClient } from '../../src/client/kserve/kserve-http-client';
import { KServeGrpcClient } from '../../src/client/kserve/kserve-grpc-client';
import { loadCriteoBatches } from '../../src/client/load-criteo-batches';
import { createTransport } from '../../src/client/transports';
import type { HostTensor } from '../../src/core/tensor';
import { generateCriteoSlotFiles } from '../../src/data/generate-criteo';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { publishedOipClient, rawFloats, rawInferRequest, typedInferRequest } from '../helpers/kserve-published-client';
import { makeTempDir, startTestServer, type TestServer } from '../helpers/test-server';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-client.js');
const ROWS = 80;

describe('the same 80 rows over every protocol', () => {
  let t: TestServer;
  let dataPath: string;
  let feed: Readonly<Record<string, HostTensor>>;
  const config = loadClientConfig(path.join(REPO_ROOT, 'serving_client'));
  const fetch = config.fetchAliases;
  before(async () => {
    dataPath = path.join(makeTempDir('oip-rows'), 'part-0');
    await generateCriteoSlotFiles({ outPath: dataPath, lines: ROWS, seed: 11 });
    const batches = await loadCriteoBatches(dataPath, ROWS, config.feedAliases, 'slot');
    assert.equal(batches.length, 1);
    feed = batches[0].feed;
    t = await startTestServer({ modelDir: path.join(REPO_ROOT, 'serving_server') });
  });
  after(() => t.stop());

  it('gives identical probabilities over OIP gRPC, OIP HTTP, Predict and Paddle\'s protocols', async () => {
    const scores = new Map<string, Float32Array>();
    const modes: Array<[string, string, object]> = [
      ['grpc', 'grpc', {}], ['paddle-grpc', 'paddle-grpc', {}], ['http json', 'http', {}], ['http proto', 'http', { httpBody: 'proto' }],
      ['baidu_std', 'rpc', {}], ['kserve-grpc', 'kserve-grpc', {}], ['kserve-http', 'kserve-http', {}],
    ];
    for (const [label, mode, options] of modes) {
      const transport = createTransport(mode, t.target, 30_000, { signature: config.signature, ...options });
      try {
        const result = await transport.predict(feed, fetch, 1);
        scores.set(label, Float32Array.from(result.outputs[fetch[0]].data as Float32Array));
      } finally {
        transport.close();
      }
    }
    const model = t.server.predictor.listModels()[0].name;
    const httpJson = KServeHttpClient.connect(t.target, { binaryData: false });
    const grpcClient = KServeGrpcClient.connect(t.target);
    const published = publishedOipClient(t.target);
    try {
      scores.set('kserve-http JSON data', (await httpJson.infer(model, feed, { outputs: fetch })).outputs[fetch[0]].data as Float32Array);
      scores.set('kserve-grpc by name', (await grpcClient.infer(model, feed)).outputs[fetch[0]].data as Float32Array);
      const raw = await published.call('ModelInfer')(rawInferRequest(feed as Record<string, HostTensor>, { model_name: model }));
      scores.set('published proto, raw', rawFloats(raw.raw_output_contents[0]));
      const typed = await published.call('ModelInfer')(typedInferRequest(feed as Record<string, HostTensor>, { model_name: model }));
      scores.set('published proto, typed', Float32Array.from(typed.outputs[0].contents.fp32_contents));
      scores.set('hand-built JSON', Float32Array.from(await postJson(t.server.port, model, feed)));
    } finally {
      httpJson.close();
      grpcClient.close();
      published.close();
    }
    const reference = scores.get('grpc')!;
    assert.equal(reference.length, ROWS);
    for (const [label, values] of scores) assert.deepEqual(values, reference, `${label} equals Predict`);
  });

  it('rec-client --client_mode kserve-grpc and kserve-http print the same fetch maps as grpc', async () => {
    const outputs = new Map<string, string>();
    for (const mode of ['grpc', 'kserve-grpc', 'kserve-http']) {
      const { stdout, stderr } = await run(process.execPath, [CLI, '--connect', t.target, '--client_mode', mode, '--batchsize', '16', '--data_dir', dataPath]);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, ROWS / 16, stderr);
      if (mode !== 'grpc') lines.forEach((line, i) => assert.match(line, new RegExp(`^\\[client\\]logid=${i},client_cost=\\d+\\.\\d{3}ms,server_cost=n/a\\.$`)));
      assert.match(stdout, new RegExp(`mode=${mode} batchsize=16 threads=1\\nrequests=5 rows=80 failed=0`));
      outputs.set(mode, stdout.split('\n').filter((line) => line.startsWith('{')).join('\n'));
    }
    assert.equal(outputs.get('kserve-grpc'), outputs.get('grpc'));
    assert.equal(outputs.get('kserve-http'), outputs.get('grpc'));
  });
});

function postJson(port: number, model: string, feed: Readonly<Record<string, HostTensor>>): Promise<number[]> {
  const body = JSON.stringify({
    inputs: Object.entries(feed).map(([name, t]) => ({
      name, shape: [...t.dims], datatype: t.dtype === 'int64' ? 'INT64' : 'FP32',
      data: t.dtype === 'int64' ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array),
    })),
  });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/v2/models/${encodeURIComponent(model)}/infer`, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString());
        if (res.statusCode !== 200) reject(new Error(json.error));
        else resolve(json.outputs[0].data);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
