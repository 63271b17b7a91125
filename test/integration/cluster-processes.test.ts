/**
 * `rec-serve --processes 2` as a user runs it (child process, port 0): both processes share the
 * one port, connections are spread over them round robin (calls over several connections reach
 * both processes; one connection stays with one process), the primary's metrics port aggregates
 * both processes' registries (plus `ctr_process_requests_total{process}`), and SIGTERM to the
 * primary drains every process: each call gets its answer or UNAVAILABLE, and it exits 0. A
 * process killed outright is replaced.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { Code, ServingError } from '../../src/core/errors';
import { parsePrometheusText, sampleValue, type Sample } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { makeTinyDeepFmDir } from '../helpers/test-server';

const FEED = criteoFeed(5);
const ALL_SERVING = /all 2 processes serving "[^"]*" on [^ ]+:(\d+)/;

function args(modelDir: string): string[] {
  return ['--processes', '2', '--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--cpu_threads', '1',
    '--warmup_batch_sizes', '1', '--enable_prometheus', '--prometheus_port', '0', '--shutdown_grace_ms', '20000', '--log_level', 'info'];
}

async function scrape(server: ServeProcess): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheusText(await response.text());
}

describe('rec-serve --processes 2', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServeProcess(args(makeTinyDeepFmDir().dir), { ready: ALL_SERVING, timeoutMs: 90_000 });
  });
  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('spreads calls over several connections to both processes and aggregates their metrics', { timeout: 60_000 }, async () => {
    const client = RecServingClient.connect(`127.0.0.1:${server.port}`, { connectionsPerEndpoint: 8 });
    try {
      await Promise.all(Array.from({ length: 40 }, () => client.predict(FEED, [])));
    } finally {
      client.close();
    }
    const metrics = await scrape(server);
    const first = sampleValue(metrics, 'ctr_process_requests_total', { process: '0' });
    const second = sampleValue(metrics, 'ctr_process_requests_total', { process: '1' });
    assert.ok(first > 0 && second > 0, `calls per process: ${first} and ${second}`);
    assert.equal(first + second, 40);
    assert.equal(sampleValue(metrics, 'nv_inference_request_success'), 40, 'the aggregate counts every process');
    assert.equal(sampleValue(metrics, 'ctr_requests_total', { protocol: 'grpc', code: 'OK' }), 40);
    const ready = await fetch(`http://127.0.0.1:${server.metricsPort}/v2/health/ready`);
    assert.equal(ready.status, 200);
    const body = await ready.json() as { models: { processes: Array<{ ready: boolean }> } };
    assert.deepEqual(body.models.processes.map((p) => p.ready), [true, true]);
  });

  it('keeps one connection on one process (a long-lived gRPC connection is not spread)', async () => {
    const before = await scrape(server);
    const client = RecServingClient.connect(`127.0.0.1:${server.port}`);
    try {
      for (let i = 0; i < 10; i++) await client.predict(FEED, []);
    } finally {
      client.close();
    }
    const after = await scrape(server);
    const deltas = ['0', '1'].map((p) => sampleValue(after, 'ctr_process_requests_total', { process: p }) - sampleValue(before, 'ctr_process_requests_total', { process: p }));
    assert.deepEqual([...deltas].sort(), [0, 10]);
  });

  it('replaces a serving process that dies, keeping its index', { timeout: 60_000 }, async () => {
    const readyState = async () => (await (await fetch(`http://127.0.0.1:${server.metricsPort}/v2/health/ready`)).json()) as { ready: boolean; models: { processes: Array<{ index: number; pid: number; ready: boolean }> } };
    const before = await readyState();
    const victim = before.models.processes[1].pid;
    process.kill(victim, 'SIGKILL');
    let now = await readyState();
    for (const until = Date.now() + 45_000; !(now.ready && now.models.processes[1].pid !== victim) && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = await readyState();
    }
    assert.equal(now.ready, true, server.log());
    assert.notEqual(now.models.processes[1].pid, victim);
    assert.equal(now.models.processes[0].pid, before.models.processes[0].pid);
    assert.match(server.log(), new RegExp(`serving process 1 \\(pid ${victim}\\) died \\(SIGKILL\\); starting a replacement`));
    const client = RecServingClient.connect(`127.0.0.1:${server.port}`, { connectionsPerEndpoint: 4 });
    try {
      await Promise.all(Array.from({ length: 8 }, () => client.predict(FEED, [])));
    } finally {
      client.close();
    }
  });

  it('passes SIGHUP on to every serving process, which re-reads its models and keeps serving', { timeout: 60_000 }, async () => {
    const pids = (await (await fetch(`http://127.0.0.1:${server.metricsPort}/v2/health/ready`)).json() as { models: { processes: Array<{ pid: number }> } }).models.processes.map((p) => p.pid);
    server.child.kill('SIGHUP');
    const rereads = () => server.log().split('SIGHUP received: re-reading the model repository').length - 1;
    for (const until = Date.now() + 20_000; rereads() < pids.length && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(server.log(), /SIGHUP received: every serving process re-reads the model repository/);
    assert.equal(rereads(), pids.length, server.log());
    assert.equal(server.child.exitCode, null, 'the primary is still running');
    const client = RecServingClient.connect(`127.0.0.1:${server.port}`, { connectionsPerEndpoint: 4 });
    try {
      await Promise.all(Array.from({ length: 8 }, () => client.predict(FEED, [])));
    } finally {
      client.close();
    }
  });

  it('drains every process on SIGTERM to the primary: answers or UNAVAILABLE, exit 0', { timeout: 90_000 }, async () => {
    const client = RecServingClient.connect(`127.0.0.1:${server.port}`, { connectionsPerEndpoint: 4 });
    let okBefore = 0;
    let okAfter = 0;
    let signalled = false;
    const lost: string[] = [];
    const caller = async () => {
      for (;;) {
        try {
          await client.predict(FEED, [], { deadlineMs: 30_000 });
          if (signalled) okAfter++; else okBefore++;
          if (okBefore >= 40 && !signalled) {
            signalled = true;
            server.child.kill('SIGTERM');
          }
        } catch (error) {
          if (!(error instanceof ServingError) || error.code !== Code.UNAVAILABLE) lost.push(String(error));
          return;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 8 }, caller));
    } finally {
      client.close();
    }
    const code = await server.exited;
    assert.deepEqual(lost, []);
    assert.equal(code, 0, server.log());
    assert.equal(server.log().match(/server stopped/g)?.length, 2, server.log());
    assert.match(server.log(), /SIGTERM received: draining 2 serving process\(es\)/);
    assert.match(server.log(), /all 2 serving processes stopped/);
  });
});
