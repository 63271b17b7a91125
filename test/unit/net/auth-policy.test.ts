/**
 * Who may call what: call classes by path, bearer-token parsing, constant-time token sets, and
 * the policy's verdicts for open, inference and admin calls with every token configuration.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthPolicy, bearerToken } from '../../../src/net/auth/auth-policy';
import { TokenSet, parseTokenFile } from '../../../src/net/auth/bearer-tokens';
import { classifyGrpcPath, classifyHttpRequest } from '../../../src/net/auth/call-classes';

const INFERENCE = 'inference-0123456789abcdef';
const ADMIN = 'admin-0123456789abcdef-admin';

describe('call classes', () => {
  it('keep health open, put the model repository behind the admin token, and everything else behind the inference token', () => {
    assert.equal(classifyGrpcPath('/grpc.health.v1.Health/Check'), 'open');
    assert.equal(classifyGrpcPath('/grpc.health.v1.Health/Watch'), 'open');
    assert.equal(classifyGrpcPath('/inference.GRPCInferenceService/ServerReady'), 'open');
    assert.equal(classifyGrpcPath('/inference.GRPCInferenceService/RepositoryModelLoad'), 'admin');
    assert.equal(classifyGrpcPath('/inference.GRPCInferenceService/RepositoryModelUnload'), 'admin');
    assert.equal(classifyGrpcPath('/inference.GRPCInferenceService/RepositoryIndex'), 'admin');
    for (const path of ['/rec_serving.v1.PredictionService/Predict', '/inference.GRPCInferenceService/ModelInfer', '/inference.GRPCInferenceService/ModelReady', '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', '/x.Unknown/Method', '']) {
      assert.equal(classifyGrpcPath(path), 'inference', path);
    }
    assert.equal(classifyHttpRequest('GET', '/v2/health/ready'), 'open');
    assert.equal(classifyHttpRequest('HEAD', '/v2/health/live?x=1'), 'open');
    assert.equal(classifyHttpRequest('POST', '/v2/health/ready'), 'inference');
    assert.equal(classifyHttpRequest('POST', '/v2/repository/models/ctr/load'), 'admin');
    assert.equal(classifyHttpRequest('POST', '//v2//repository/index'), 'admin');
    assert.equal(classifyHttpRequest('POST', 'http://host:9393/v2/repository/models/ctr/unload'), 'admin');
    assert.equal(classifyHttpRequest('POST', '/GeneralModelService/inference'), 'inference');
    assert.equal(classifyHttpRequest('GET', '/v2/models/ctr'), 'inference');
  });
});

describe('bearer tokens', () => {
  it('parse "Bearer <token>" only', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('abc'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });

  it('read token files: one per line, comments skipped; refuse empty, short and unprintable tokens naming the file', () => {
    assert.deepEqual(parseTokenFile(`# current\n${INFERENCE}\n\n  ${ADMIN}  \r\n`, 'f'), [INFERENCE, ADMIN]);
    assert.throws(() => parseTokenFile('# nothing\n\n', '/run/token'), /\/run\/token holds no token/);
    assert.throws(() => parseTokenFile('short\n', '/run/token'), /the token in \/run\/token line 1 has 5 characters; at least 16 are needed/);
    assert.throws(() => parseTokenFile('tökenwithumlaut-0123456789\n', 'f'), /outside visible ASCII/);
  });

  it('match only exact tokens, whatever their length', () => {
    const set = new TokenSet([INFERENCE, ADMIN]);
    assert.ok(set.matches(INFERENCE));
    assert.ok(set.matches(ADMIN));
    for (const wrong of ['', INFERENCE.slice(0, -1), `${INFERENCE}x`, INFERENCE.toUpperCase(), 'x'.repeat(10_000)]) assert.ok(!set.matches(wrong), wrong);
  });
});

describe('auth policy', () => {
  const both = new AuthPolicy({ inference: new TokenSet([INFERENCE]), admin: new TokenSet([ADMIN]) });
  const verdict = (policy: AuthPolicy, callClass: 'open' | 'inference' | 'admin', token?: string) => policy.check(callClass, token === undefined ? undefined : `Bearer ${token}`, 'call');

  it('with inference and admin tokens: the admin token also serves inference; an inference token on admin is PERMISSION_DENIED', () => {
    assert.equal(verdict(both, 'open').allowed, true);
    assert.equal(verdict(both, 'inference', INFERENCE).allowed, true);
    assert.equal(verdict(both, 'inference', ADMIN).allowed, true);
    assert.deepEqual({ ...verdict(both, 'inference') }, { allowed: false, kind: 'unauthenticated', message: 'call needs a bearer token: no credentials were sent; send "authorization: Bearer <token>"' });
    assert.equal((verdict(both, 'inference', 'nope-nope-nope-nope') as { kind: string }).kind, 'unauthenticated');
    assert.equal(verdict(both, 'admin', ADMIN).allowed, true);
    assert.equal((verdict(both, 'admin', INFERENCE) as { kind: string }).kind, 'permission_denied');
    assert.equal((verdict(both, 'admin') as { kind: string }).kind, 'unauthenticated');
  });

  it('with an inference token only, admin calls take it; with an admin token only, inference is open', () => {
    const inferenceOnly = new AuthPolicy({ inference: new TokenSet([INFERENCE]) });
    assert.equal(verdict(inferenceOnly, 'admin', INFERENCE).allowed, true);
    assert.equal(verdict(inferenceOnly, 'admin').allowed, false);
    const adminOnly = new AuthPolicy({ admin: new TokenSet([ADMIN]) });
    assert.equal(verdict(adminOnly, 'inference').allowed, true);
    assert.equal(verdict(adminOnly, 'admin').allowed, false);
    assert.equal(adminOnly.baiduStdRefusal(), undefined, 'baidu_std only carries inference calls');
  });

  it('refuses baidu_std when inference needs a token, unless allowed', () => {
    assert.match(both.baiduStdRefusal()!, /baidu_std cannot carry a bearer token/);
    assert.equal(new AuthPolicy({ inference: new TokenSet([INFERENCE]) }, true).baiduStdRefusal(), undefined);
  });

  it('takes replaced token sets at once', () => {
    const policy = new AuthPolicy({ inference: new TokenSet([INFERENCE]) });
    policy.setTokens({ inference: new TokenSet([ADMIN]) });
    assert.equal(verdict(policy, 'inference', INFERENCE).allowed, false);
    assert.equal(verdict(policy, 'inference', ADMIN).allowed, true);
  });
});
