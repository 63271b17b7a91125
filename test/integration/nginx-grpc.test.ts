/**
 * The shipped nginx gRPC config (serving_server/deploy/nginx/rec-serving-grpc.conf) run by a real
 * nginx in front of two real rec-serve processes on free ports: traffic from clients that each
 * keep one connection reaches both backends, and when one backend gets SIGTERM mid-run no call
 * is lost: each is answered (drained by the stopping backend, sent to the other one by nginx,
 * or retried by the client on UNAVAILABLE). Skips with a message where nginx is not installed.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { defaultRetryServiceConfig } from '../../src/client/retry-policy';
import { parsePrometheusText, sampleValue } from '../../benchmarks/lib/parse-prometheus-text';
import { criteoFeed } from '../helpers/feeds';
import { nginxBinary, startNginx, type RunningNginx } from '../helpers/nginx';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { makeTinyDeepFmDir } from '../helpers/test-server';

const NGINX = nginxBinary();
const SKIP = NGINX === undefined ? 'nginx is not installed (Debian: apt-get install nginx-light; .ci/run installs it where apt-get works): skipping the nginx load-balancer test' : false;
const FEED = criteoFeed(5);
const CALLERS = 6;
const CALLS_PER_CALLER = 60;

async function served(server: ServeProcess): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
  return sampleValue(parsePrometheusText(await response.text()), 'nv_inference_request_success');
}

describe('nginx grpc_pass in front of two rec-serve instances', { skip: SKIP }, () => {
  let backends: ServeProcess[] = [];
  let nginx: RunningNginx | undefined;
  before(async () => {
    const modelDir = makeTinyDeepFmDir().dir;
    const args = ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--cpu_threads', '1', '--warmup_batch_sizes', '1',
      '--enable_prometheus', '--prometheus_port', '0', '--shutdown_grace_ms', '20000'];
    backends = await Promise.all([startServeProcess(args), startServeProcess(args)]);
    nginx = await startNginx(NGINX!, backends.map((b) => `127.0.0.1:${b.port}`));
  });
  after(async () => {
    await nginx?.stop();
    for (const b of backends) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  });

  it('answers every call of a long-lived connection, past nginx\'s default 1000 calls per connection, without client retries', { timeout: 120_000 }, async () => {
    // nginx's default keepalive_requests (1000) closes a client connection after its 1000th call and
    // drops that call unanswered; the shipped config keeps gRPC connections open instead.
    const client = RecServingClient.connect(`127.0.0.1:${nginx!.port}`);
    const failures: string[] = [];
    try {
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 320; i++) {
          try {
            await client.predict(FEED, [], { deadlineMs: 20_000 });
          } catch (error) {
            failures.push(String(error));
          }
        }
      }));
    } finally {
      client.close();
    }
    assert.deepEqual(failures, []);
  });

  it('spreads calls over both backends and loses none when one stops with SIGTERM mid-run', { timeout: 120_000 }, async (t) => {
    const client = RecServingClient.connect(`127.0.0.1:${nginx!.port}`, { serviceConfig: defaultRetryServiceConfig(3) });
    let ok = 0;
    let stopped: Promise<number | null> | undefined;
    const failures: string[] = [];
    const perBackendBeforeStop: number[] = [];
    const caller = async () => {
      for (let i = 0; i < CALLS_PER_CALLER; i++) {
        try {
          await client.predict(FEED, [], { deadlineMs: 20_000 });
          ok++;
        } catch (error) {
          failures.push(String(error));
        }
        if (ok === (CALLERS * CALLS_PER_CALLER) / 3 && stopped === undefined) {
          stopped = Promise.resolve(null);
          perBackendBeforeStop.push(...await Promise.all(backends.map(served)));
          stopped = backends[0].stop();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CALLERS }, caller));
    } finally {
      client.close();
    }
    const code = await stopped;
    const stats = client.stats();
    t.diagnostic(`calls before the stop per backend: ${perBackendBeforeStop.join(', ')}; client retries: ${stats.retries}; backend 0 exit code: ${code}`);
    assert.deepEqual(failures, [], nginx!.errorLog());
    assert.equal(ok, CALLERS * CALLS_PER_CALLER);
    assert.ok(perBackendBeforeStop.every((n) => n > 0), `each backend served calls through nginx before the stop: ${perBackendBeforeStop.join(', ')}`);
    assert.equal(code, 0, backends[0].log());
    assert.ok(await served(backends[1]) > perBackendBeforeStop[1], 'the remaining backend served the rest');
  });
});
