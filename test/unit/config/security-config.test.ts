/**
 * TLS and authentication flags: defaults, what each flag turns on, tokens kept off the command
 * line and out of every printed form of the config, and every conflict refused with the reason.
 */
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { FlagError } from '../../../src/config/parse-flags';
import { loadServeConfig } from '../../../src/config/serve-config';
import { publicView } from '../../../src/grpc/model-metadata';

const problemsOf = (argv: string[], env: Record<string, string> = {}): string[] => {
  try {
    loadServeConfig(argv, env, 2);
  } catch (error) {
    assert.ok(error instanceof FlagError, String(error));
    return [...error.problems];
  }
  return [];
};

describe('security flags', () => {
  it('default to plaintext without authentication', () => {
    const config = loadServeConfig([], {}, 2);
    assert.equal(config.security.tls, undefined);
    assert.deepEqual({ ...config.security.auth }, { allowUnauthenticatedBaiduStd: false });
    assert.equal(config.security.reloadIntervalMs, 60_000);
  });

  it('require TLS once a certificate is given, and take optional mode and a client CA', () => {
    const required = loadServeConfig(['--tls_cert_file', 'c.pem', '--tls_key_file', 'k.pem'], {}, 2).security.tls;
    assert.deepEqual({ ...required }, { certFile: 'c.pem', keyFile: 'k.pem', mode: 'required' });
    const optional = loadServeConfig(['--tls_cert_file', 'c.pem', '--tls_key_file', 'k.pem', '--tls_mode', 'optional', '--tls_client_ca_file', 'ca.pem'], {}, 2).security.tls;
    assert.deepEqual({ ...optional }, { certFile: 'c.pem', keyFile: 'k.pem', mode: 'optional', clientCaFile: 'ca.pem' });
  });

  it('take token files from flags and from REC_SERVING_*_FILE variables', () => {
    const config = loadServeConfig(['--auth_token_file', '/run/token'], { REC_SERVING_ADMIN_TOKEN_FILE: '/run/admin' }, 2);
    assert.equal(config.security.auth.tokenFile, '/run/token');
    assert.equal(config.security.auth.adminTokenFile, '/run/admin');
  });

  it('refuse a token on the command line, naming the safe places', () => {
    for (const argv of [['--auth_token', 'secret-secret-secret'], ['--auth-token=secret-secret-secret'], ['--admin_token', 'x']]) {
      const problems = problemsOf(argv);
      assert.equal(problems.length, 1, argv.join(' '));
      assert.match(problems[0], /is refused: a token on the command line is visible to every user of this host \(ps, \/proc\); put it in a file readable only by the server \(--(auth|admin)_token_file\) or in the environment variable REC_SERVING_(AUTH|ADMIN)_TOKEN/);
    }
  });

  it('take a token from REC_SERVING_AUTH_TOKEN and never print it', () => {
    const secret = 'env-token-0123456789abcdef';
    const config = loadServeConfig([], { REC_SERVING_AUTH_TOKEN: secret }, 2);
    assert.equal(config.security.auth.token?.reveal(), secret);
    for (const printed of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.security.auth.token), JSON.stringify(publicView({ ...config }))]) {
      assert.ok(!printed.includes(secret), printed);
    }
  });

  it('refuse conflicts and half configurations with the reason', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--tls_cert_file', 'c.pem'], {}, /--tls_cert_file and --tls_key_file go together; got only --tls_cert_file/],
      [['--tls_key_file', 'k.pem'], {}, /got only --tls_key_file/],
      [['--tls_client_ca_file', 'ca.pem'], {}, /--tls_client_ca_file \(mTLS\) needs TLS/],
      [['--tls_mode', 'required'], {}, /--tls_mode required needs --tls_cert_file and --tls_key_file/],
      [['--tls_mode', 'strict'], {}, /--tls_mode must be one of off, optional, required; got "strict"/],
      [['--tls_mode', 'off', '--tls_cert_file', 'c', '--tls_key_file', 'k'], {}, /--tls_mode off conflicts with --tls_cert_file/],
      [['--auth_token_file', 't'], { REC_SERVING_AUTH_TOKEN: 'x'.repeat(20) }, /--auth_token_file and REC_SERVING_AUTH_TOKEN are both set/],
      [['--allow_unauthenticated_baidu_std'], {}, /--allow_unauthenticated_baidu_std only applies when inference calls need a token/],
      [['--credential_reload_interval_ms', '-1'], {}, /--credential_reload_interval_ms must be an integer in 0\.\./],
    ];
    for (const [argv, env, expected] of cases) {
      const problems = problemsOf(argv, env);
      assert.ok(problems.some((problem) => expected.test(problem)), `${argv.join(' ')}: ${problems.join(' | ')}`);
    }
  });
});
