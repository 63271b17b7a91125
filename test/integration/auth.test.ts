/**
 * Bearer-token authentication on the one serving port, through the real server (startServer,
 * port 0): a missing or wrong token is refused on every inference path of every protocol that
 * can carry one (rec-serving Predict and GetModelMetadata, Paddle gRPC inference, Paddle HTTP,
 * reflection), health stays open, admin (model repository) paths need the admin token, baidu_std
 * is refused, and a rotated token file takes effect without a restart.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, type ServingError } from '../../src/core/errors';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { PREDICT_PATH, GET_MODEL_METADATA_PATH } from '../../src/protocol/predict-messages';
import { criteoFeed } from '../helpers/feeds';
import { GRPC_INFERENCE_PATH, paddleJsonBody, paddleProtoBody, prpcFrame } from '../helpers/paddle-requests';
import { RawConnection } from '../helpers/prpc-connection';
import { grpcCall, httpCall, predictBody, waitFor } from '../helpers/secure-calls';
import { makeTempDir, startTestServer, type TestServer } from '../helpers/test-server';
import { OIP_TYPES, encodeOip, oipPath } from '../../src/kserve/oip-messages';
import { rawInferRequest } from '../helpers/kserve-published-client';
import { KServeGrpcClient } from '../../src/client/kserve/kserve-grpc-client';
import { KServeHttpClient } from '../../src/client/kserve/kserve-http-client';
import { createTransport } from '../../src/client/transports';

const TOKEN = 'inference-token-0123456789abcdef';
const ROTATED = 'rotated-inference-token-fedcba9876543210';
const ADMIN = 'admin-token-0123456789abcdef-admin';
const WRONG = 'wrong-token-0123456789abcdef-wrong';
const PADDLE_HTTP_PATHS = ['/GeneralModelService/inference', '/baidu.paddle_serving.predictor.general_model.GeneralModelService/inference'];
const REPOSITORY_GRPC = '/inference.GRPCInferenceService/RepositoryIndex';

describe('bearer-token authentication', () => {
  let t: TestServer;
  let raw: grpc.Client;
  let tokenFile: string;
  before(async () => {
    const dir = makeTempDir('tokens');
    tokenFile = path.join(dir, 'token');
    const adminFile = path.join(dir, 'admin-token');
    fs.writeFileSync(tokenFile, `# inference callers\n${TOKEN}\n`, { mode: 0o600 });
    fs.writeFileSync(adminFile, `${ADMIN}\n`, { mode: 0o600 });
    t = await startTestServer({ flags: ['--auth_token_file', tokenFile, '--admin_token_file', adminFile, '--credential_reload_interval_ms', '100'] });
    raw = new grpc.Client(t.target, grpc.credentials.createInsecure());
  });
  after(async () => {
    raw?.close();
    await t?.stop();
  });

  it('refuses Predict, GetModelMetadata and Paddle gRPC inference without a token or with a wrong one (UNAUTHENTICATED), serves them with it', async () => {
    for (const [rpc, body] of [[PREDICT_PATH, predictBody(criteoFeed(2))], [GRPC_INFERENCE_PATH, paddleProtoBody(criteoFeed(2))], [GET_MODEL_METADATA_PATH, new Uint8Array(0)]] as const) {
      const missing = await grpcCall(raw, rpc, body);
      assert.equal(missing.error?.code, grpc.status.UNAUTHENTICATED, `${rpc} without a token`);
      assert.match(missing.error!.details, /needs a bearer token: no credentials were sent; send "authorization: Bearer <token>"/);
      const wrong = await grpcCall(raw, rpc, body, WRONG);
      assert.equal(wrong.error?.code, grpc.status.UNAUTHENTICATED, `${rpc} with a wrong token`);
      assert.match(wrong.error!.details, /the bearer token sent was not accepted/);
      assert.ok(!wrong.error!.details.includes(WRONG), 'the token is not echoed');
      const right = await grpcCall(raw, rpc, body, TOKEN);
      assert.equal(right.error, null, `${rpc} with the token: ${right.error?.message}`);
      const admin = await grpcCall(raw, rpc, body, ADMIN);
      assert.equal(admin.error, null, `${rpc} with the admin token`);
    }
  });

  it('guards the Open Inference Protocol the same way: ModelInfer and /v2 infer need the token, liveness and readiness stay open', async () => {
    const model = t.server.predictor.listModels()[0].name;
    const infer = encodeOip(OIP_TYPES.ModelInfer.request, rawInferRequest(criteoFeed(2), { model_name: model }));
    const missing = await grpcCall(raw, oipPath('ModelInfer'), infer);
    assert.equal(missing.error?.code, grpc.status.UNAUTHENTICATED);
    assert.equal((await grpcCall(raw, oipPath('ModelInfer'), infer, TOKEN)).error, null);
    assert.equal((await grpcCall(raw, oipPath('ServerLive'), encodeOip(OIP_TYPES.ServerLive.request, {}))).error, null, 'ServerLive is open');
    const body = JSON.stringify({ inputs: Object.entries(criteoFeed(1)).map(([name, x]) => ({ name, shape: [...x.dims], datatype: x.dtype === 'int64' ? 'INT64' : 'FP32', data: Array.from(x.data as ArrayLike<number | bigint>, Number) })) });
    assert.equal((await httpCall(t.server.port, `/v2/models/${model}/infer`, { body })).status, 401);
    assert.equal((await httpCall(t.server.port, `/v2/models/${model}/infer`, { body, token: WRONG })).status, 401);
    assert.equal((await httpCall(t.server.port, `/v2/models/${model}/infer`, { body, token: TOKEN })).status, 200);
    assert.equal((await httpCall(t.server.port, '/v2/health/ready', { method: 'GET' })).status, 200, '/v2/health/ready is open');
    assert.equal((await httpCall(t.server.port, `/v2/models/${model}`, { method: 'GET' })).status, 401, 'model metadata needs the token');
  });

  it('the OIP clients and rec-client\'s kserve modes send the token; without it they get UNAUTHENTICATED', async () => {
    const model = t.server.predictor.listModels()[0].name;
    for (const connect of [KServeGrpcClient.connect, KServeHttpClient.connect]) {
      const anonymous = connect(t.target);
      const holder = connect(t.target, { security: { authToken: TOKEN } });
      try {
        await assert.rejects(anonymous.infer(model, criteoFeed(2)), (error: ServingError) => error.code === Code.UNAUTHENTICATED);
        assert.deepEqual((await holder.infer(model, criteoFeed(2))).outputs['sigmoid_0.tmp_0'].dims, [2, 1]);
      } finally {
        anonymous.close();
        holder.close();
      }
    }
    for (const mode of ['kserve-grpc', 'kserve-http']) {
      const transport = createTransport(mode, t.target, 10_000, { security: { authToken: TOKEN } });
      try {
        const result = await transport.predict(criteoFeed(2), [], 1);
        assert.equal(Object.values(result.outputs)[0].dims[0], 2, mode);
      } finally {
        transport.close();
      }
    }
  });

  it('refuses a malformed authorization value (not Bearer)', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Basic ${TOKEN}`);
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(PREDICT_PATH, (b: Buffer) => b, (b: Buffer) => b, predictBody(criteoFeed(1)), metadata, (e) => resolve(e));
    });
    assert.equal(error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(error!.details, /not of the form "Bearer <token>"/);
  });

  it('refuses our client without the token and serves it with the token', async () => {
    const anonymous = RecServingClient.connect(t.target);
    const client = RecServingClient.connect(t.target, { security: { authToken: TOKEN } });
    try {
      const error = await anonymous.predict(criteoFeed(1)).then(() => undefined, (e: ServingError) => e);
      assert.equal(error?.code, Code.UNAUTHENTICATED);
      assert.equal((await client.predict(criteoFeed(3))).outputs['sigmoid_0.tmp_0'].data.length, 3);
      assert.equal((await client.getModelMetadata()).inputs.length, 27);
    } finally {
      anonymous.close();
      client.close();
    }
  });

  it('refuses reflection without a token (it is not a health check)', async () => {
    const outcome = await grpcCall(raw, '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', new Uint8Array(0));
    assert.equal(outcome.error?.code, grpc.status.UNAUTHENTICATED);
  });

  it('keeps grpc.health.v1 open (Kubernetes gRPC probes send no token)', async () => {
    const health = await grpcCall(raw, '/grpc.health.v1.Health/Check', new Uint8Array(0));
    assert.equal(health.error, null);
    assert.deepEqual([...health.bytes!], [0x08, 0x01]);
  });

  it('answers Paddle HTTP without a token or with a wrong one with 401 and WWW-Authenticate, serves it with the token', async () => {
    for (const route of PADDLE_HTTP_PATHS) {
      const body = paddleJsonBody(criteoFeed(2));
      const missing = await httpCall(t.server.port, route, { body });
      assert.equal(missing.status, 401, route);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="rec-serving"');
      assert.match(JSON.parse(missing.body).error, /needs a bearer token: no credentials were sent/);
      const wrong = await httpCall(t.server.port, route, { body, token: WRONG });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="rec-serving", error="invalid_token"');
      const right = await httpCall(t.server.port, route, { body, token: TOKEN });
      assert.equal(right.status, 200, right.body);
      assert.equal(JSON.parse(right.body).outputs[0].tensor[0].float_data.length, 2);
    }
    // Paths that do not exist are refused before routing too: nothing about the routes shows.
    assert.equal((await httpCall(t.server.port, '/no/such/path', { body: '{}' })).status, 401);
  });

  it('refuses an Expect: 100-continue request before the client sends its body', async () => {
    const outcome = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = http.request({ host: '127.0.0.1', port: t.server.port, path: PADDLE_HTTP_PATHS[0], method: 'POST', agent: false, headers: { Expect: '100-continue', 'Content-Type': 'application/json', 'Content-Length': 2 } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
      });
      req.on('continue', () => { continued = true; req.end('{}'); });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.deepEqual(outcome, { continued: false, status: 401 });
    const allowed = await new Promise<number>((resolve, reject) => {
      const body = paddleJsonBody(criteoFeed(1));
      const req = http.request({ host: '127.0.0.1', port: t.server.port, path: PADDLE_HTTP_PATHS[0], method: 'POST', agent: false, headers: { Expect: '100-continue', Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('continue', () => req.end(body));
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(allowed, 200);
  });

  it('keeps HTTP health paths open (GET /v2/health/live and /v2/health/ready pass the check)', async () => {
    for (const route of ['/v2/health/live', '/v2/health/ready']) {
      const answer = await httpCall(t.server.port, route, { method: 'GET' });
      assert.notEqual(answer.status, 401, route);
    }
  });

  it('lets only the admin token through to model repository operations (gRPC and HTTP)', async () => {
    const missing = await grpcCall(raw, REPOSITORY_GRPC, new Uint8Array(0));
    assert.equal(missing.error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(missing.error!.details, /needs an admin token/);
    const inference = await grpcCall(raw, REPOSITORY_GRPC, new Uint8Array(0), TOKEN);
    assert.equal(inference.error?.code, grpc.status.PERMISSION_DENIED);
    assert.match(inference.error!.details, /model repository operation: it needs an admin token/);
    // Past the check, the method is grpc-js's to answer (UNIMPLEMENTED until the repository API is served).
    const admin = await grpcCall(raw, REPOSITORY_GRPC, new Uint8Array(0), ADMIN);
    assert.notEqual(admin.error?.code, grpc.status.UNAUTHENTICATED);
    assert.notEqual(admin.error?.code, grpc.status.PERMISSION_DENIED);
    const httpRoute = '/v2/repository/models/ctr/load';
    assert.equal((await httpCall(t.server.port, httpRoute, { body: '{}' })).status, 401);
    assert.equal((await httpCall(t.server.port, httpRoute, { body: '{}', token: TOKEN })).status, 403);
    const passed = await httpCall(t.server.port, httpRoute, { body: '{}', token: ADMIN });
    assert.ok(passed.status !== 401 && passed.status !== 403, `admin token: ${passed.status}`);
  });

  it('refuses baidu_std connections (they cannot carry a token) and logs why', async () => {
    const prpc = new RawConnection(t.server.port);
    prpc.socket.write(prpcFrame(paddleProtoBody(criteoFeed(1)), { correlationId: 1 }));
    await prpc.closed;
    assert.equal(prpc.frames.length, 0);
    assert.ok(t.logLines.some((line) => line.includes('baidu_std connection refused and closed: baidu_std cannot carry a bearer token')));
  });

  it('accepts a rotated token file without a restart', async () => {
    fs.writeFileSync(tokenFile, `${ROTATED}\n`);
    await waitFor('the rotated token', async () => (await grpcCall(raw, PREDICT_PATH, predictBody(criteoFeed(1)), ROTATED)).error === null);
    assert.equal((await grpcCall(raw, PREDICT_PATH, predictBody(criteoFeed(1)), TOKEN)).error?.code, grpc.status.UNAUTHENTICATED);
    // An empty file is refused: the rotated token stays in force.
    fs.writeFileSync(tokenFile, '\n');
    await waitFor('the refused reload', () => t.logLines.some((line) => line.includes('token file changed but was not reloaded') && line.includes('holds no token')));
    assert.equal((await grpcCall(raw, PREDICT_PATH, predictBody(criteoFeed(1)), ROTATED)).error, null);
  });
});
