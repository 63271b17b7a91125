/**
 * Client-side balancing and retries against real servers (startServer on port 0, real workers):
 * round robin over `a,b` endpoints, `dns:` names, a dead endpoint skipped without failing calls,
 * a server stopped mid-run, retries of UNAVAILABLE within the service config's attempts and
 * throttling, and the per-call deadline covering every attempt. The endpoint that answers
 * UNAVAILABLE (or never answers) is a small node:http2 server: what is under test is the client.
 * The rec-client CLI is driven as a child process for `--connect` lists and refused forms.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { defaultRetryServiceConfig, parseServiceConfig } from '../../src/client/retry-policy';
import { Code, ServingError } from '../../src/core/errors';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';
import { servingRejection } from '../helpers/serving-rejection';

const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-client.js');
const FEED = criteoFeed(5);

/** An HTTP/2 endpoint that answers every call with `grpc-status` 14, or never answers (`hang`). */
async function fakeEndpoint(behaviour: 'unavailable' | 'hang'): Promise<{ port: number; calls: () => number; close: () => void }> {
  let calls = 0;
  const sessions: http2.ServerHttp2Session[] = [];
  const server = http2.createServer();
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream) => {
    calls++;
    stream.on('data', () => undefined);
    if (behaviour === 'hang') return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'fake endpoint unavailable' }, { endStream: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, calls: () => calls, close: () => { for (const s of sessions) s.destroy(); server.close(); } };
}

async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function runClient(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('client-side balancing and retries', () => {
  let a: TestServer;
  let b: TestServer;
  const modelDir = makeTinyDeepFmDir({ vocabularySize: 1_000_001 }).dir;
  before(async () => {
    a = await startTestServer({ modelDir });
    b = await startTestServer({ modelDir });
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it('spreads calls round robin over a:port,b:port and both servers answer', async () => {
    const client = RecServingClient.connect(`${a.target},${b.target}`);
    try {
      for (let i = 0; i < 10; i++) await client.predict(FEED, []);
      assert.deepEqual(client.stats().perEndpoint, { [a.target]: 5, [b.target]: 5 });
    } finally {
      client.close();
    }
  });

  it('resolves dns:localhost:port to its addresses and serves through the one that listens', async () => {
    const client = RecServingClient.connect(`dns:localhost:${a.server.port}`);
    try {
      for (let i = 0; i < 4; i++) await client.predict(FEED, []);
      assert.ok(client.stats().endpoints.includes(a.target), JSON.stringify(client.stats()));
      assert.equal(client.stats().perEndpoint[a.target], 4);
    } finally {
      client.close();
    }
  });

  it('re-resolves dns: names periodically and after a failure, keeping the last list when a lookup fails', async () => {
    let answer: () => string[] = () => { throw new Error('queryA ENOTFOUND rec.test'); };
    let lookups = 0;
    const client = RecServingClient.connect(`dns:rec.test:${a.server.port}`, { lookup: async () => { lookups++; return answer(); }, dnsRefreshMs: 100, dnsMinIntervalMs: 30 });
    try {
      const first = await servingRejection(client.predict(FEED, []));
      assert.equal(first.code, Code.UNAVAILABLE);
      assert.match(first.rawMessage, /"dns:rec\.test:\d+" resolved to no address \(cannot resolve rec\.test: queryA ENOTFOUND rec\.test\)/);
      answer = () => ['127.0.0.1'];
      await new Promise((resolve) => setTimeout(resolve, 40));
      await client.predict(FEED, []); // the failure above allows a new lookup
      answer = () => { throw new Error('resolver down'); };
      await new Promise((resolve) => setTimeout(resolve, 250));
      await client.predict(FEED, []); // failed lookups keep the previous addresses
      answer = () => [];
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal((await servingRejection(client.predict(FEED, []))).code, Code.UNAVAILABLE, 'an empty answer empties the rotation');
      answer = () => ['127.0.0.1'];
      await new Promise((resolve) => setTimeout(resolve, 250));
      await client.predict(FEED, []);
      assert.ok(lookups >= 5, `lookups: ${lookups}`);
    } finally {
      client.close();
    }
  });

  it('skips an endpoint that refuses connections without failing or retrying calls', async () => {
    const dead = `127.0.0.1:${await deadPort()}`;
    const client = RecServingClient.connect(`${dead},${a.target}`);
    try {
      for (let i = 0; i < 6; i++) await client.predict(FEED, []);
      const stats = client.stats();
      assert.equal(stats.perEndpoint[a.target], 6);
      assert.equal(stats.perEndpoint[dead], undefined);
      assert.equal(stats.retries, 0);
    } finally {
      client.close();
    }
    const none = RecServingClient.connect(dead);
    try {
      const error = await servingRejection(none.predict(FEED, []));
      assert.equal(error.code, Code.UNAVAILABLE);
      assert.match(error.rawMessage, new RegExp(`No connection established: ${dead} \\(.*ECONNREFUSED`));
    } finally {
      none.close();
    }
  });

  it('retries UNAVAILABLE on the next endpoint within maxAttempts, and not without a retry policy', async () => {
    const fake = await fakeEndpoint('unavailable');
    const target = `127.0.0.1:${fake.port},${a.target}`;
    const retrying = RecServingClient.connect(target, { serviceConfig: defaultRetryServiceConfig(3) });
    const plain = RecServingClient.connect(target);
    try {
      // Round robin sends each call's first attempt to the fake endpoint and its retry to the real server.
      for (let i = 0; i < 4; i++) await retrying.predict(FEED, []);
      assert.equal(retrying.stats().retries, 4, JSON.stringify(retrying.stats()));
      assert.equal(fake.calls(), 4);
      const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => plain.predict(FEED, [])));
      const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(failed.length, 2);
      assert.equal((failed[0].reason as ServingError).code, Code.UNAVAILABLE);
      assert.equal(plain.stats().retries, 0);
    } finally {
      retrying.close();
      plain.close();
      fake.close();
    }
  });

  it('stops retrying when the retry tokens fall to half (retry throttling)', async () => {
    const fake = await fakeEndpoint('unavailable');
    const client = RecServingClient.connect(`127.0.0.1:${fake.port}`, { serviceConfig: parseServiceConfig({
      methodConfig: [{ name: [{}], retryPolicy: { maxAttempts: 5, initialBackoff: '0.001s', maxBackoff: '0.002s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } }],
      retryThrottling: { maxTokens: 4, tokenRatio: 0.1 },
    }) });
    try {
      const first = await servingRejection(client.predict(FEED, []));
      // tokens 4 -> 3 (retry) -> 2 (throttled): two attempts.
      assert.match(first.rawMessage, /fake endpoint unavailable \(after 2 attempts; retries throttled\)/);
      const second = await servingRejection(client.predict(FEED, []));
      assert.match(second.rawMessage, /not retried: retries throttled/);
      assert.equal(fake.calls(), 3);
    } finally {
      client.close();
      fake.close();
    }
  });

  it('keeps one deadline over every attempt: DEADLINE_EXCEEDED, not a fresh deadline per retry', async () => {
    const fake = await fakeEndpoint('hang');
    const client = RecServingClient.connect(`127.0.0.1:${fake.port}`, { serviceConfig: defaultRetryServiceConfig(5) });
    try {
      const started = Date.now();
      const error = await servingRejection(client.predict(FEED, [], { deadlineMs: 300 }));
      const took = Date.now() - started;
      assert.equal(error.code, Code.DEADLINE_EXCEEDED);
      assert.ok(took >= 290, `the call ended after ${took} ms, before its 300 ms deadline`);
      assert.equal(fake.calls(), 1, 'the first attempt used the whole deadline: no attempt after it');
    } finally {
      client.close();
      fake.close();
    }
  });

  it('loses no call when one of two servers stops mid-run (drained, then skipped)', { timeout: 60_000 }, async () => {
    const c = await startTestServer({ modelDir });
    const client = RecServingClient.connect(`${c.target},${a.target}`, { serviceConfig: defaultRetryServiceConfig(3) });
    let done = 0;
    let stopping: Promise<void> | undefined;
    const loop = async () => {
      for (let i = 0; i < 40; i++) {
        await client.predict(FEED, [], { deadlineMs: 10_000 });
        if (++done === 40) stopping = c.stop();
      }
    };
    try {
      await Promise.all([loop(), loop(), loop(), loop()]);
      await stopping;
      const stats = client.stats();
      assert.equal(done, 160);
      assert.ok((stats.perEndpoint[c.target] ?? 0) >= 20, JSON.stringify(stats));
      assert.ok((stats.perEndpoint[a.target] ?? 0) >= 100, JSON.stringify(stats));
    } finally {
      client.close();
      await stopping;
    }
  });

  it('rec-client balances over --connect a,b and skips a dead endpoint (real CLI)', async () => {
    const dead = `127.0.0.1:${await deadPort()}`;
    const run = await runClient(['--connect', `${a.target},${dead},${b.target}`, '--requests', '12', '--quiet', '--json', '--connections', '2', '--max_attempts', '3']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /"requests":12/);
  });

  it('rec-client refuses --connect without a port, URLs and lists for single-connection modes (real CLI)', async () => {
    const noPort = await runClient(['--connect', '127.0.0.1', '--requests', '1']);
    assert.equal(noPort.code, 2);
    assert.match(noPort.stderr, /rec-client: --connect "127\.0\.0\.1" has no port; expected host:port \(e\.g\. 127\.0\.0\.1:9393\)/);
    const url = await runClient(['--connect', 'http://127.0.0.1:9393', '--requests', '1']);
    assert.equal(url.code, 2);
    assert.match(url.stderr, /--connect "http:\/\/127\.0\.0\.1:9393" is a URL; expected host:port/);
    const httpList = await runClient(['--client_mode', 'http', '--connect', `${a.target},${b.target}`, '--requests', '1']);
    assert.equal(httpList.code, 2);
    assert.match(httpList.stderr, /--client_mode http connects to one host:port/);
    const badConfig = await runClient(['--connect', a.target, '--service_config', '{"methodConfig":[{"retryPolicy":{"maxAttempts":9}}]}', '--requests', '1']);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /--service_config: methodConfig\[0\]\.retryPolicy\.maxAttempts must be an integer in 2\.\.5/);
  });
});
