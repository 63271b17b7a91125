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
