/**
 * Paddle's HTTP/1.1 protocol on the server's one port, with the bodies Paddle's HttpClient and
 * curl scripts send: JSON, `application/proto`, gzip request bodies, gzip responses, keep-alive,
 * and the error statuses. Real server, tiny DeepFM; responses checked field by field.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { decodePaddleResponse } from '../../src/paddle/service/paddle-messages';
import { criteoFeed } from '../helpers/feeds';
import { makeAliasedDeepFmDir } from '../helpers/paddle-model-dir';
import { FULL_SERVICE, assertClose, expectedScores, paddleJsonBody, paddleProtoBody } from '../helpers/paddle-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer; socketPort: number }

describe('GeneralModelService over HTTP/1.1', () => {
  let t: TestServer;
  let fixture: ReturnType<typeof makeAliasedDeepFmDir>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: Buffer | string, headers: http.OutgoingHttpHeaders = {}, path = '/GeneralModelService/inference', method = 'POST') =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: t.server.port, path, method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        const socketPort = res.socket.localPort!;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), socketPort }));
      });
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    fixture = makeAliasedDeepFmDir();
    t = await startTestServer({ modelDir: fixture.dir });
  });
  after(async () => {
    agent.destroy();
    await t.stop();
  });

  it('answers the HttpClient JSON body with Paddle\'s JSON, field by field', async () => {
    const feed = criteoFeed(5);
    const answer = await post(paddleJsonBody(feed, { fetch: ['prob'], logId: 8 }), { 'Content-Type': 'application/json' });
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-type'], 'application/json');
    const text = answer.body.toString('utf8');
    assert.match(text, /^\{"outputs":\[\{"tensor":\[\{"float_data":\[[-0-9.e,]+\],"elem_type":1,"shape":\[5,1\],"name":"sigmoid_0\.tmp_0","alias_name":"prob"\}\],"engine_name":"GeneralInferOp_0"\}\],"profile_time":\[\d{16},\d{16}\],"log_id":8\}$/);
    const json = JSON.parse(text);
    assertClose(json.outputs[0].tensor[0].float_data, expectedScores(fixture.model.weights, feed), 'float_data');
    const [start, end] = json.profile_time;
    assert.equal(typeof start, 'number');
    assert.ok(end >= start);
  });

  it('omits log_id when it is 0 and takes the full-name path and a body without Content-Type', async () => {
    const answer = await post(paddleJsonBody(criteoFeed(1), { logId: 0 }), {}, `/${FULL_SERVICE}/inference`);
    assert.equal(answer.status, 200);
    const json = JSON.parse(answer.body.toString());
    assert.equal('log_id' in json, false);
    assert.equal('profile_server' in json, false);
  });

  it('answers an application/proto body with a serialized Response and the same content type', async () => {
    const feed = criteoFeed(4);
    const answer = await post(paddleProtoBody(feed, { fetch: ['prob'], logId: 3 }), { 'Content-Type': 'application/proto' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/proto');
    const response = decodePaddleResponse(answer.body);
    assert.equal(response.outputs[0].engine_name, 'GeneralInferOp_0');
    assert.equal(response.outputs[0].tensor[0].alias_name, 'prob');
    assertClose(Array.from(response.outputs[0].tensor[0].float_data!), expectedScores(fixture.model.weights, feed), 'float_data');
    assert.equal(Number(response.log_id), 3);
    assert.equal(response.profile_time.length, 2);
  });

  it('inflates gzip request bodies and gzips the answer when asked, on one kept-alive connection', async () => {
    const feed = criteoFeed(2);
    const first = await post(zlib.gzipSync(paddleJsonBody(feed)), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip' });
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-encoding'], 'gzip');
    const json = JSON.parse(zlib.gunzipSync(first.body).toString());
    assertClose(json.outputs[0].tensor[0].float_data, expectedScores(fixture.model.weights, feed), 'float_data');
    const second = await post(zlib.gzipSync(paddleProtoBody(feed)), { 'Content-Type': 'application/proto', 'Content-Encoding': 'gzip' });
    assert.equal(second.status, 200);
    assert.equal(second.headers['content-encoding'], undefined);
    assert.equal(decodePaddleResponse(second.body).outputs[0].tensor[0].shape![0], 2);
    assert.equal(second.socketPort, first.socketPort, 'the connection was kept alive');
  });

  it('answers errors with a non-200 status and a plain-text message', async () => {
    const bad = await post(paddleJsonBody(criteoFeed(2)).replace('"name":"C4"', '"name":"bogus"'), { 'Content-Type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers['content-type']), /^text\/plain/);
    assert.match(bad.body.toString(), /missing \{C4\}; unknown \{bogus\}/);
    const notJson = await post('{"tensor": [', { 'Content-Type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.toString(), /request body is not valid JSON/);
    const wrongType = await post('{"tensor": 5}');
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.toString(), /^request field "tensor" must be an array of tensors; got 5\n$/);
    const badProto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'Content-Type': 'application/proto' });
    assert.equal(badProto.status, 400);
    assert.match(badProto.body.toString(), /not a serialized Paddle Request/);
    const badGzip = await post('not gzip', { 'Content-Encoding': 'gzip' });
    assert.equal(badGzip.status, 400);
    assert.match(badGzip.body.toString(), /not valid gzip data/);
    const missing = await post('{}', {}, '/nope');
    assert.equal(missing.status, 404);
    const get = await post('', {}, '/GeneralModelService/inference', 'GET');
    assert.equal(get.status, 405);
    const ok = await post(paddleJsonBody(criteoFeed(1)));
    assert.equal(ok.status, 200);
  });
});
