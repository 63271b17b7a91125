/**
 * The logs an operator reads, through the real rec-serve CLI: `--log_format json` makes every
 * stderr line one JSON object (time, level, message, fields); `--access_log` writes one line per
 * request on every protocol, failed requests included, with model, version, rows, status,
 * latency and peer; `--log_level debug` logs each batch (requests merged, rows, worker or main
 * thread, waits including the hand-off).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli';
import { startServeProcess } from '../helpers/serve-process';
import { makeTinyDeepFmDir } from '../helpers/test-server';

interface LogRecord { time: string; level: string; message: string; [field: string]: unknown }

describe('operator logs', () => {
  it('json lines, an access line per request (failures included) and debug batch lines', async () => {
    const dir = makeTinyDeepFmDir({ vocabularySize: 1_000_001 }).dir;
    const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0', '--model', dir, '--thread', '1', '--warmup_batch_sizes', '1', '--log_format', 'json', '--access_log', '--log_level', 'debug']);
    try {
      const target = `127.0.0.1:${server.port}`;
      for (const mode of ['grpc', 'http', 'rpc']) {
        const run = await runCli('rec-client.js', ['--connect', target, '--client_mode', mode, '--requests', '2', '--threads', '2', '--quiet']);
        assert.equal(run.code, 0, run.stderr);
      }
      const bad = await fetch(`http://${target}/GeneralModelService/inference`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ feed: [{ nope: [1] }], fetch: [] }) });
      assert.notEqual(bad.status, 200);
      await bad.text();
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const lines = server.log().split('\n').filter((line) => line.length > 0);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as LogRecord;
      } catch {
        assert.fail(`not a JSON line: ${line}`);
      }
    });
    for (const record of records) {
      assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(record.level), record.level);
      assert.equal(typeof record.message, 'string');
    }
    const access = records.filter((r) => r.message === 'access');
    const byProtocol = (protocol: string) => access.filter((r) => r.protocol === protocol);
    assert.equal(byProtocol('grpc').length, 2);
    assert.equal(byProtocol('baidu_std').length, 2);
    assert.equal(byProtocol('paddle_http').length, 3);
    for (const line of access.filter((r) => r.status === 'OK')) {
      assert.equal(line.model, dir.split('/').pop());
      assert.equal(line.version, '1');
      assert.equal(line.rows, 5);
      assert.equal(typeof line.latency_us, 'number');
      assert.match(String(line.peer), /^127\.0\.0\.1:\d+$/);
    }
    const failed = access.filter((r) => r.status !== 'OK');
    assert.equal(failed.length, 1, JSON.stringify(access));
    assert.equal(failed[0].status, 'INVALID_ARGUMENT');
    assert.equal(failed[0].protocol, 'paddle_http');
    const batches = records.filter((r) => r.level === 'debug' && r.message.startsWith('batch ran: '));
    assert.ok(batches.length >= 6, `${batches.length} batch lines`);
    assert.ok(batches.every((b) => typeof b.requests === 'number' && typeof b.rows === 'number' && typeof b.worker === 'boolean'));
  });

  it('rec-serve refuses an unknown --log_format and the text format stays the default', async () => {
    const run = await runCli('serve.js', ['--log_format', 'xml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--log_format must be one of text, json; got "xml"/);
    const dir = makeTinyDeepFmDir().dir;
    const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0', '--model', dir, '--thread', '1', '--warmup_batch_sizes', '1']);
    await server.stop();
    assert.match(server.log(), /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO loading model/m);
    assert.doesNotMatch(server.log(), / access /);
  });
});
