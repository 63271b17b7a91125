/**
 * Graceful shutdown of the real `rec-serve` process (dist/src/cli/serve.js) on the tiny DeepFM:
 * traffic from several concurrent callers, SIGTERM mid-flight, then: every request got an answer,
 * either its prediction (accepted before the signal: in-flight and queued calls complete) or
 * UNAVAILABLE (not accepted); nothing else (no INTERNAL, no CANCELLED, no hang); exit code 0.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { Code, ServingError } from '../../src/core/errors';
import { startServeProcess } from '../helpers/serve-process';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir } from '../helpers/test-server';

describe('graceful shutdown of rec-serve', () => {
  it('answers every accepted request after SIGTERM and exits 0', { timeout: 120_000 }, async () => {
    const { dir } = makeTinyDeepFmDir();
    const server = await startServeProcess([
      '--model', dir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', '--max_queue_size', '64', '--shutdown_grace_ms', '30000',
      // Each run waits 300 ms to collect requests, so at the signal the callers' requests are
      // certainly accepted and queued in the server (not still on the wire, where refusing them is right).
      '--max_queue_delay_micros', '300000']);
    const { child, port, exited } = server;
    const client = RecServingClient.connect(`127.0.0.1:${port}`);
    const feed = criteoFeed(8);
    let ok = 0;
    let okAfterSignal = 0;
    let signalled = false;
    const failures: ServingError[] = [];
    const caller = async () => {
      for (;;) {
        try {
          await client.predict(feed);
          ok++;
          if (signalled) okAfterSignal++;
        } catch (error) {
          failures.push(error instanceof ServingError ? error : ServingError.from(error));
          return;
        }
      }
    };
    const callers = Array.from({ length: 12 }, caller);
    while (ok < 24) await new Promise((resolve) => setTimeout(resolve, 5));
    signalled = true;
    child.kill('SIGTERM');
    await Promise.all(callers);
    client.close();
    const code = await exited;
    assert.equal(code, 0, `exit code; log:\n${server.log()}`);
    assert.equal(failures.length, 12, 'every caller ended with a refusal once the server stopped');
    for (const failure of failures) assert.equal(Code[failure.code], 'UNAVAILABLE', `only refusals, never a lost accepted request: ${failure.rawMessage}`);
    assert.ok(okAfterSignal > 0, `calls in flight at the signal completed with their predictions; failures: ${failures.map((f) => f.rawMessage).join(' | ')}; log:\n${server.log()}`);
    assert.match(server.log(), /SIGTERM received: draining/);
    assert.match(server.log(), /server stopped/);
  });
});
