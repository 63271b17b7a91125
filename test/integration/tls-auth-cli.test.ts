/**
 * The real `rec-serve` process with TLS (mTLS) and a token from REC_SERVING_AUTH_TOKEN, called by
 * the real `rec-client` process: the token and client certificate get calls through, a missing
 * token or certificate does not; a token on rec-serve's command line is refused (exit 2) without
 * starting anything.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { makeTestCerts, opensslMissing } from '../helpers/test-certs';
import { startServeProcess } from '../helpers/serve-process';
import { makeTinyDeepFmDir } from '../helpers/test-server';

const SKIP = opensslMissing();
const SERVE = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js');
const CLIENT = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-client.js');
const TOKEN = 'cli-token-0123456789abcdef0123';

function run(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: REPO_ROOT, timeout: 60_000, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('rec-serve and rec-client processes with TLS and a token', { skip: SKIP }, () => {
  it('refuses --auth_token on the command line, saying why', async () => {
    const result = await run(SERVE, ['--auth_token', TOKEN, '--port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--auth_token is refused: a token on the command line is visible to every user of this host/);
  });

  it('serves rec-client with the CA, client certificate and token; refuses it without the token or the certificate', { timeout: 120_000 }, async () => {
    const certs = makeTestCerts();
    const tokenFile = path.join(certs.dir, 'client-token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`);
    const server = await startServeProcess(['--model', makeTinyDeepFmDir({ vocabularySize: 1_000_001 }).dir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1',
      '--tls_cert_file', certs.server.cert, '--tls_key_file', certs.server.key, '--tls_client_ca_file', certs.ca], { env: { ...process.env, REC_SERVING_AUTH_TOKEN: TOKEN } });
    const { port } = server;
    try {
      const log = server.log();
      assert.match(log, /TLS required \(mTLS\), bearer tokens/);
      assert.ok(!log.includes(TOKEN), 'the token never reaches the log');
      const common = ['--connect', `127.0.0.1:${port}`, '--batchsize', '5', '--requests', '2', '--quiet', '--tls_ca_file', certs.ca];
      const mtls = ['--tls_cert_file', certs.client.cert, '--tls_key_file', certs.client.key];
      const served = await run(CLIENT, [...common, ...mtls, '--auth_token_file', tokenFile, '--json']);
      assert.equal(served.code, 0, served.stderr);
      assert.equal(JSON.parse(served.stdout).requests, 2);
      const fromEnv = await run(CLIENT, [...common, ...mtls, '--client_mode', 'http'], { ...process.env, REC_SERVING_AUTH_TOKEN: TOKEN });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      const noToken = await run(CLIENT, [...common, ...mtls], { ...process.env, REC_SERVING_AUTH_TOKEN: '' });
      assert.equal(noToken.code, 1);
      assert.match(noToken.stderr, /error=16,gRPC \/rec_serving\.v1\.PredictionService\/Predict needs a bearer token/);
      const noCertificate = await run(CLIENT, [...common, '--auth_token_file', tokenFile]);
      assert.equal(noCertificate.code, 1);
      assert.match(noCertificate.stderr, /error=14,/);
    } finally {
      await server.stop();
    }
  });
});
