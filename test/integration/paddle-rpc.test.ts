/**
 * brpc's baidu_std protocol on the server's one port, with the frames Paddle's compiled Client
 * sends ("PRPC" header, RpcMeta, Request), plus the sniffer's handling of unknown protocols and
 * malformed frames: each closes only its own connection.
 */
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { decodePaddleResponse } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { assertClose, expectedScores, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('GeneralModelService over baidu_std', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir });
  });
  after(() => t.stop());

  it('answers a PRPC frame with the Response, echoing correlation_id, several per connection', async () => {
    const c = new RawConnection(t.server.port);
    const feeds = [criteoFeed(5), criteoFeed(3, 1000, 9)];
    c.socket.write(Buffer.concat([prpcFrame(paddleProtoBody(feeds[0], { logId: 11 }), { correlationId: 77 }), prpcFrame(paddleProtoBody(feeds[1]), { correlationId: 78 })]));
    const answers = await c.next(2);
    answers.sort((a, b) => Number(a.meta.correlation_id) - Number(b.meta.correlation_id));
    for (const [i, { meta, body }] of answers.entries()) {
      assert.equal(Number(meta.correlation_id), 77 + i);
      assert.equal(meta.response?.error_code ?? 0, 0);
      const response = decodePaddleResponse(body);
      assert.equal(response.outputs[0].engine_name, 'GeneralInferOp_0');
      assert.equal(response.outputs[0].tensor[0].name, 'sigmoid_0.tmp_0');
      assert.equal(response.outputs[0].tensor[0].alias_name, 'prob');
      assertClose(Array.from(response.outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feeds[i]), 'float_data');
      assert.equal(response.profile_time.length, 2);
    }
    assert.equal(Number(decodePaddleResponse(answers[0].body).log_id), 11);
    c.socket.destroy();
  });

  it('answers a large frame (4096 rows, ~430 KB) that arrives in many small TCP writes', { timeout: 60_000 }, async () => {
    const c = new RawConnection(t.server.port);
    const feed = criteoFeed(4096, 1000, 21);
    const frame = prpcFrame(paddleProtoBody(feed, { logId: 4096 }), { correlationId: 4242 });
    assert.ok(frame.byteLength > 400_000, `frame of ${frame.byteLength} bytes`);
    for (let offset = 0; offset < frame.byteLength; offset += 1000) c.socket.write(frame.subarray(offset, offset + 1000));
    const [answer] = await c.next();
    assert.equal(Number(answer.meta.correlation_id), 4242);
    assert.equal(answer.meta.response?.error_code ?? 0, 0, answer.meta.response?.error_text);
    const response = decodePaddleResponse(answer.body);
    assert.deepEqual(Array.from(response.outputs[0].tensor[0].shape!), [4096, 1]);
    assertClose(Array.from(response.outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feed), 'float_data');
    assert.equal(Number(response.log_id), 4096);
    c.socket.destroy();
  });

  it('answers 24 pipelined frames cut at arbitrary byte boundaries, each under its own correlation_id', { timeout: 60_000 }, async () => {
    const c = new RawConnection(t.server.port);
    const feeds = Array.from({ length: 24 }, (_, i) => criteoFeed(i === 11 ? 2048 : 1 + (i % 7), 1000, 300 + i));
    const stream = Buffer.concat(feeds.map((feed, i) => prpcFrame(paddleProtoBody(feed, { logId: 100 + i }), { correlationId: 1000 + i })));
    // Chunk sizes that never line up with frame boundaries: 1, 2, 3, 5, 8, ... bytes, then large ones.
    const sizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 65_536];
    for (let offset = 0, k = 0; offset < stream.byteLength; offset += sizes[k % sizes.length]!, k++) {
      c.socket.write(stream.subarray(offset, offset + sizes[k % sizes.length]!));
    }
    const answers = await c.next(feeds.length);
    const byId = new Map(answers.map((a) => [Number(a.meta.correlation_id), a]));
    assert.equal(byId.size, feeds.length, 'one answer per frame');
    feeds.forEach((feed, i) => {
      const answer = byId.get(1000 + i);
      assert.ok(answer, `answer for correlation_id ${1000 + i}`);
      assert.equal(answer.meta.response?.error_code ?? 0, 0, answer.meta.response?.error_text);
      const response = decodePaddleResponse(answer.body);
      assert.equal(Number(response.log_id), 100 + i);
      assertClose(Array.from(response.outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feed), `frame ${i} float_data`);
    });
    c.socket.destroy();
  });

  it('decompresses gzip and zlib payloads and compresses the answer the same way', async () => {
    const c = new RawConnection(t.server.port);
    const body = paddleProtoBody(criteoFeed(2));
    c.socket.write(prpcFrame(zlib.gzipSync(body), { correlationId: 1, compressType: 2 }));
    const [gz] = await c.next();
    assert.equal(gz.meta.compress_type, 2);
    assert.equal(decodePaddleResponse(zlib.gunzipSync(gz.body)).outputs[0].tensor[0].shape![0], 2);
    c.socket.write(prpcFrame(zlib.deflateSync(body), { correlationId: 2, compressType: 3 }));
    const [zl] = await c.next();
    assert.equal(decodePaddleResponse(zlib.inflateSync(zl.body)).outputs[0].tensor[0].shape![0], 2);
    c.socket.write(prpcFrame(body, { correlationId: 3, compressType: 1 }));
    const [snappy] = await c.next();
    assert.equal(snappy.meta.response?.error_code, 1003);
    assert.match(snappy.meta.response!.error_text!, /compress_type 1 \(snappy\) is not supported/);
    c.socket.destroy();
  });

  it('reports errors in RpcResponseMeta and keeps the connection', async () => {
    const c = new RawConnection(t.server.port);
    const bad = paddleProtoBody(criteoFeed(2), { fetch: ['nope'] });
    c.socket.write(prpcFrame(bad, { correlationId: 5 }));
    c.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 6, service: 'Nope' }));
    c.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 7, method: 'predict' }));
    c.socket.write(prpcFrame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { correlationId: 8 }));
    const answers = new Map((await c.next(4)).map((a) => [Number(a.meta.correlation_id), a.meta.response!]));
    assert.equal(answers.get(5)!.error_code, 1003);
    assert.match(answers.get(5)!.error_text!, /unknown output "nope"/);
    assert.equal(answers.get(6)!.error_code, 1001);
    assert.match(answers.get(6)!.error_text!, /unknown service "Nope"/);
    assert.equal(answers.get(7)!.error_code, 1002);
    assert.match(answers.get(7)!.error_text!, /unknown method "predict"/);
    assert.equal(answers.get(8)!.error_code, 1003);
    assert.match(answers.get(8)!.error_text!, /payload is not a serialized Paddle Request/);
    c.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 9 }));
    const [ok] = await c.next();
    assert.equal(ok.meta.response?.error_code ?? 0, 0);
    c.socket.destroy();
  });

  it('closes only the offending connection on a malformed frame or an unknown protocol', async () => {
    const healthy = new RawConnection(t.server.port);
    const badMeta = new RawConnection(t.server.port);
    const header = Buffer.alloc(12);
    header.write('PRPC', 0, 'latin1');
    header.writeUInt32BE(4, 4);
    header.writeUInt32BE(8, 8); // meta_size > body_size
    badMeta.socket.write(header);
    await badMeta.closed;
    const garbageMeta = new RawConnection(t.server.port);
    const frame = Buffer.alloc(16);
    frame.write('PRPC', 0, 'latin1');
    frame.writeUInt32BE(4, 4);
    frame.writeUInt32BE(4, 8);
    frame.writeUInt32BE(0xffffffff, 12); // not an RpcMeta
    garbageMeta.socket.write(frame);
    await garbageMeta.closed;
    const unknown = new RawConnection(t.server.port);
    unknown.socket.write('SSH-2.0-OpenSSH\r\n');
    await unknown.closed;
    healthy.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 1 }));
    const [ok] = await healthy.next();
    assert.equal(ok.meta.response?.error_code ?? 0, 0);
    assert.equal(decodePaddleResponse(ok.body).outputs[0].tensor[0].shape![0], 1);
    healthy.socket.destroy();
  });
});

describe('baidu_std frames over --max_body_size', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ flags: ['--max_body_size', '100000'] });
  });
  after(() => t.stop());

  it('closes the connection of a frame over the limit, before reading its body, and serves others', { timeout: 60_000 }, async () => {
    const big = new RawConnection(t.server.port);
    const frame = prpcFrame(paddleProtoBody(criteoFeed(1024)), { correlationId: 1 });
    assert.ok(frame.byteLength > 100_000);
    big.socket.write(frame.subarray(0, 12)); // the header alone announces the size
    await big.closed;
    assert.equal(big.frames.length, 0, 'no answer, just the close');
    const small = new RawConnection(t.server.port);
    small.socket.write(prpcFrame(paddleProtoBody(criteoFeed(2)), { correlationId: 2 }));
    const [ok] = await small.next();
    assert.equal(ok.meta.response?.error_code ?? 0, 0);
    small.socket.destroy();
  });
});
