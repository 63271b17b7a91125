/**
 * Graceful shutdown of the real `rec-serve` process (dist/src/cli/serve.js) on the tiny DeepFM:
 * traffic from several concurrent callers, SIGTERM mid-flight, then: every request got an answer,
 * either its prediction (accepted before the signal: in-flight and queued calls complete) or
 * UNAVAILABLE (not accepted); nothing else (no INTERNAL, no CANCELLED, no hang); exit code 0.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { Code, ServingError } from '../../src/core/errors';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { criteoFeed } from '../helpers/feeds';
import { makeTinyDeepFmDir } from '../helpers/test-server';

describe('graceful shutdown of rec-serve', () => {
  it('answers every accepted request after SIGTERM and exits 0', { timeout: 120_000 }, async () => {
    const { dir } = makeTinyDeepFmDir();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'cli', 'serve.js'),
      '--model', dir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', '--max_queue_size', '64', '--shutdown_grace_ms', '30000',
      // Each run waits 300 ms to collect requests, so at the signal the callers' requests are
      // certainly accepted and queued in the server (not still on the wire, where refusing them is right).
      '--max_queue_delay_micros', '300000'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /serving "[^"]*" on [^ ]+:(\d+)/.exec(log);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`rec-serve exited with ${code} before serving:\n${log}`)));
    });
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
    assert.equal(code, 0, `exit code; log:\n${log}`);
    assert.equal(failures.length, 12, 'every caller ended with a refusal once the server stopped');
    for (const failure of failures) assert.equal(Code[failure.code], 'UNAVAILABLE', `only refusals, never a lost accepted request: ${failure.rawMessage}`);
    assert.ok(okAfterSignal > 0, `calls in flight at the signal completed with their predictions; failures: ${failures.map((f) => f.rawMessage).join(' | ')}; log:\n${log}`);
    assert.match(log, /SIGTERM received: draining/);
    assert.match(log, /server stopped/);
  });
});
