/**
 * SIGHUP on the real `rec-serve` process re-reads the model repository and keeps serving: a
 * version dropped in is served after the signal (mode none: nothing changes without it), the
 * process stays up, and SIGTERM still shuts it down cleanly (exit 0).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { criteoFeed } from '../helpers/feeds';
import { addVersion, makeRepository } from '../helpers/model-repository-fixtures';
import { startServeProcess } from '../helpers/serve-process';

describe('SIGHUP', () => {
  it('re-reads the model repository instead of ending rec-serve', { timeout: 120_000 }, async () => {
    const repo = makeRepository();
    addVersion(repo, 'ctr', '1');
    const server = await startServeProcess(['--model_repository', repo, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1']);
    const { child, port, exited } = server;
    const log = () => server.log();
    try {
      const client = RecServingClient.connect(`127.0.0.1:${port}`);
      const feed = criteoFeed(5);
      assert.equal((await client.predict(feed)).modelVersion, '1');
      addVersion(repo, 'ctr', '2');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await client.predict(feed)).modelVersion, '1', 'mode none: a dropped-in version waits for SIGHUP');
      child.kill('SIGHUP');
      const deadline = Date.now() + 60_000;
      let version = '1';
      while (version !== '2' && Date.now() < deadline) {
        version = (await client.predict(feed)).modelVersion;
        if (version !== '2') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(version, '2', log());
      assert.equal(child.exitCode, null, 'rec-serve is still running');
      assert.match(log(), /SIGHUP received: re-reading the model repository/);
      assert.match(log(), /model "ctr" now serves version\(s\) 2; retiring 1/);
      client.close();
      child.kill('SIGTERM');
      assert.equal(await exited, 0, log());
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
