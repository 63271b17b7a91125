/**
 * baidu_std under hostile or heavy clients, through the real server: compressed bombs are refused
 * at --max_body_size, a large frame trickled in small writes is answered, and pipelined requests
 * each carry their own cancellation (no listener pile-up on the connection, CANCELLED on close).
 */
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { encodeRpcMeta, decodePaddleResponse } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { FULL_SERVICE, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';
import { startTestServer, type TestServer } from '../helpers/test-server';

const LIMIT_BYTES = 16 * 1024 * 1024;

/** A frame whose body is `payload` followed by an `attachment` (ignored by GeneralModelService). */
function frameWithAttachment(payload: Buffer, attachment: Buffer, correlationId: number): Buffer {
  const meta = encodeRpcMeta({ request: { service_name: FULL_SERVICE, method_name: 'inference' }, correlation_id: correlationId, attachment_size: attachment.byteLength });
  const header = Buffer.alloc(12);
  header.write('PRPC', 0, 'latin1');
  header.writeUInt32BE(meta.byteLength + payload.byteLength + attachment.byteLength, 4);
  header.writeUInt32BE(meta.byteLength, 8);
  return Buffer.concat([header, meta, payload, attachment]);
}

describe('baidu_std limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ flags: ['--max_body_size', String(LIMIT_BYTES), '--enable_prometheus', '--prometheus_port', '0'] });
  });
  after(() => t.stop());

  it('refuses gzip and zlib payloads that inflate past --max_body_size, and keeps the connection', async () => {
    const c = new RawConnection(t.server.port);
    const bomb = Buffer.alloc(4 * LIMIT_BYTES); // zeros: compresses ~1000:1
    c.socket.write(prpcFrame(zlib.gzipSync(bomb), { correlationId: 1, compressType: 2 }));
    c.socket.write(prpcFrame(zlib.deflateSync(bomb), { correlationId: 2, compressType: 3 }));
    const answers = await c.next(2);
    for (const [i, format] of ['gzip', 'zlib'].entries()) {
      const { meta } = answers.find((a) => Number(a.meta.correlation_id) === i + 1)!;
      assert.equal(meta.response?.error_code, 1003, format);
      assert.match(meta.response!.error_text!, new RegExp(`^${format} payload inflates to more than the ${LIMIT_BYTES}-byte limit \\(--max_body_size\\); got \\d+ compressed bytes$`));
    }
    c.socket.write(prpcFrame(zlib.gzipSync(paddleProtoBody(criteoFeed(2))), { correlationId: 3, compressType: 2 }));
    const [ok] = await c.next();
    assert.equal(ok.meta.response?.error_code ?? 0, 0);
    assert.equal(decodePaddleResponse(zlib.gunzipSync(ok.body)).outputs[0].tensor[0].shape![0], 2);
    c.socket.destroy();
  });

  it('answers a large frame sent in many small writes', async () => {
    const c = new RawConnection(t.server.port);
    const attachment = Buffer.alloc(8 * 1024 * 1024, 7);
    const frame = frameWithAttachment(paddleProtoBody(criteoFeed(3)), attachment, 42);
    for (let offset = 0; offset < frame.byteLength; offset += 16 * 1024) c.socket.write(frame.subarray(offset, offset + 16 * 1024));
    const [answer] = await c.next();
    assert.equal(Number(answer.meta.correlation_id), 42);
    assert.equal(answer.meta.response?.error_code ?? 0, 0, answer.meta.response?.error_text);
    assert.equal(decodePaddleResponse(answer.body).outputs[0].tensor[0].shape![0], 3);
    c.socket.destroy();
  });

  it('gives each pipelined request its own cancellation: no listener warning, CANCELLED when the client leaves', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const c = new RawConnection(t.server.port);
      const count = 30;
      c.socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => prpcFrame(paddleProtoBody(criteoFeed(1, 1000, i + 1)), { correlationId: 100 + i }))));
      const answers = await c.next(count);
      assert.deepEqual(answers.map((a) => a.meta.response?.error_code ?? 0), new Array(count).fill(0));
      assert.deepEqual(answers.map((a) => Number(a.meta.correlation_id)).sort((a, b) => a - b), Array.from({ length: count }, (_, i) => 100 + i));
      c.socket.destroy();

      // Requests still queued when their client goes away are cancelled, not run.
      const leaving = new RawConnection(t.server.port);
      const frames = Buffer.concat(Array.from({ length: count }, (_, i) => prpcFrame(paddleProtoBody(criteoFeed(200, 1000, i + 1)), { correlationId: i })));
      await new Promise<void>((resolve) => leaving.socket.write(frames, () => resolve()));
      leaving.socket.destroy();
      let cancelled = 0;
      for (let attempt = 0; attempt < 100 && cancelled === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const samples = parsePrometheusText(await (await fetch(`http://127.0.0.1:${t.server.ops.opsPort}/metrics`)).text());
        cancelled = sampleValue(samples, 'ctr_requests_total', { protocol: 'baidu_std', code: 'CANCELLED' });
      }
      assert.ok(cancelled > 0, 'no baidu_std request was counted CANCELLED after its client closed the connection');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
