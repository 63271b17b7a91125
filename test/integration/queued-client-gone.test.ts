/**
 * A request queued in the batcher is dropped (CANCELLED) when its client goes away, on the
 * protocols that report it through a CallLifetime rather than an AbortSignal: Paddle over
 * HTTP/1.1 (the response closes unanswered) and baidu_std (the connection closes). Real server;
 * a 60 s --max_queue_delay_micros keeps a lone request queued, so the drop is deterministic, and
 * the metrics show it never reached a worker.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

const scrape = async (t: TestServer) => parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());

/** Opens a connection, writes `bytes`, waits until the server holds the request queued, then closes the connection. */
async function sendThenLeave(t: TestServer, bytes: Buffer): Promise<void> {
  const socket = net.connect(t.server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(bytes);
  for (let i = 0; i < 200 && t.server.predictor.inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(t.server.predictor.inFlight, 1, 'the request is accepted and waits in the queue');
  socket.destroy();
}

async function waitForDrops(t: TestServer, count: number) {
  let metrics = await scrape(t);
  for (let i = 0; i < 100 && sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'CANCELLED' }) < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    metrics = await scrape(t);
  }
  return metrics;
}

describe('a queued request whose client goes away', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('is dropped with CANCELLED on Paddle HTTP and on baidu_std, before any worker sees it', async () => {
    const fixture = makeAliasedDeepFmDir();
    const t = await startTestServer({ modelDir: fixture.dir, flags: ['--max_queue_delay_micros', '60000000', '--inline_max_rows', '0', '--enable_prometheus', '--prometheus_port', '0'] });
    servers.push(t);
    const before = await scrape(t);
    const body = paddleProtoBody(criteoFeed(2), { fetch: ['prob'] });

    const head = Buffer.from(`POST /GeneralModelService/inference HTTP/1.1\r\nHost: test\r\nContent-Type: application/proto\r\nContent-Length: ${body.byteLength}\r\n\r\n`, 'latin1');
    await sendThenLeave(t, Buffer.concat([head, body]));
    let metrics = await waitForDrops(t, 1);
    assert.equal(sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'CANCELLED' }), 1, 'the HTTP request is dropped');
    assert.equal(t.server.predictor.inFlight, 0);

    await sendThenLeave(t, prpcFrame(body, { correlationId: 7 }));
    metrics = await waitForDrops(t, 2);
    assert.equal(sampleValue(metrics, 'ctr_requests_dropped_total', { reason: 'CANCELLED' }), 2, 'the baidu_std request is dropped');
    assert.equal(t.server.predictor.inFlight, 0);
    assert.equal(sampleValue(metrics, 'nv_inference_exec_count') - sampleValue(before, 'nv_inference_exec_count'), 0, 'no run was made for them');
    assert.equal(sampleValue(metrics, 'nv_inference_pending_request_count'), 0);
  });
});
