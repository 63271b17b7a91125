/**
 * The rec-client CLI as a user runs it (a child process) against a real server: Paddle's
 * per-batch log line, the fetch map, the summary (its AUC and log-loss from the printed scores),
 * and its exit codes for bad flags.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { loadCriteoBatches } from '../../src/client/load-criteo-batches';
import { DEFAULT_FEED_NAMES } from '../../src/data/criteo-feed';
import { auc, logLoss } from '../../src/data/classification-metrics';
import { makeTinyDeepFmDir, startTestServer, type TestServer } from '../helpers/test-server';

const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'rec-client.js');
const SHARED_SLOT = path.join(REPO_ROOT, '..', 'shared', 'data', 'criteo_sample', 'slot');
const SHARED_RAW = path.join(REPO_ROOT, '..', 'shared', 'data', 'criteo_sample', 'raw');
const SKIP_SHARED = fs.existsSync(SHARED_SLOT) ? false : `../shared/data/criteo_sample is absent (a fresh clone): skipping the real Criteo sample`;

interface CliRun { code: number; stdout: string; stderr: string }

function runClient(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const LOG_LINE = /^\[client\]logid=(\d+),client_cost=(\d+\.\d{3})ms,server_cost=(\d+\.\d{3})ms\.$/;

describe('rec-client CLI', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ modelDir: makeTinyDeepFmDir({ vocabularySize: 1_000_001 }).dir, flags: ['--thread', '2'] });
  });
  after(() => t.stop());

  it('prints 16 batches and a summary for the 80 real slot lines at batch 5', { skip: SKIP_SHARED }, async () => {
    const run = await runClient(['--client_config', 'serving_client', '--connect', t.target, '--data_dir', SHARED_SLOT, '--batchsize', '5']);
    assert.equal(run.code, 0, run.stderr);
    const logLines = run.stderr.split('\n').filter((line) => line.startsWith('[client]'));
    assert.equal(logLines.length, 16);
    logLines.forEach((line, i) => {
      const match = LOG_LINE.exec(line);
      assert.ok(match, `not Paddle's log line: ${line}`);
      assert.equal(Number(match[1]), i);
    });
    const maps = run.stdout.split('\n').filter((line) => line.startsWith("{'sigmoid_0.tmp_0': array(["));
    assert.equal(maps.length, 16);
    for (const map of maps) {
      const values = [...map.matchAll(/\[(\d\.\d+(?:e-?\d+)?)\]/g)].map((m) => Number(m[1]));
      assert.equal(values.length, 5, map);
      for (const value of values) assert.ok(value > 0 && value < 1, map);
    }
    assert.match(run.stdout, /requests=16 rows=80 failed=0/);
    assert.match(run.stdout, /client_cost +p50=\d+\.\d+ms p90=\d+\.\d+ms p99=\d+\.\d+ms max=\d+\.\d+ms/);
    assert.match(run.stdout, /auc=0\.\d+ logloss=\d+\.\d+ over 80 labelled rows/);
  });

  it('reads the raw Kaggle sample with --reader raw and 2 threads', { skip: SKIP_SHARED }, async () => {
    const run = await runClient(['--connect', t.target, '--data_dir', SHARED_RAW, '--reader', 'raw', '--batchsize', '7', '--threads', '2', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    assert.equal(summary.requests, 14);
    assert.equal(summary.rows, 98);
    assert.equal(summary.threads, 2);
    assert.ok(summary.clientCostMicros.p50 > 0);
    assert.equal(summary.quality.labelledRows, 98);
  });

  it('uses serving_client/ and the bundled generated sample by default, and loops for --requests', async () => {
    const run = await runClient(['--connect', t.target, '--batchsize', '5', '--requests', '50', '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /requests=50 rows=250 failed=0/);
    assert.doesNotMatch(run.stderr, /\[client\]logid/);
  });

  it('computes AUC and log-loss from the scores it printed for each batch and the labels', async () => {
    const run = await runClient(['--connect', t.target, '--batchsize', '5', '--threads', '3']);
    assert.equal(run.code, 0, run.stderr);
    // Log lines and fetch maps come in answer order; logid i is batch i.
    const ids = run.stderr.split('\n').filter((line) => line.startsWith('[client]')).map((line) => Number(LOG_LINE.exec(line)![1]));
    const maps = run.stdout.split('\n').filter((line) => line.startsWith("{'sigmoid_0.tmp_0': array(["));
    assert.equal(maps.length, ids.length);
    const batches = await loadCriteoBatches(path.join(REPO_ROOT, 'serving_client', 'sample_data'), 5, DEFAULT_FEED_NAMES, 'auto');
    assert.equal(ids.length, batches.length);
    const labels: number[] = [];
    const scores: number[] = [];
    ids.forEach((batch, i) => {
      const values = [...maps[i].matchAll(/\[(\d\.\d+(?:e-?\d+)?)\]/g)].map((m) => Number(m[1]));
      assert.equal(values.length, 5, maps[i]);
      labels.push(...batches[batch].labels!);
      scores.push(...values);
    });
    const summary = /auc=(\d\.\d+) logloss=(\d+\.\d+) over (\d+) labelled rows/.exec(run.stdout);
    assert.ok(summary, run.stdout);
    assert.equal(Number(summary[3]), labels.length);
    assert.equal(summary[1], auc(labels, scores).toFixed(4));
    assert.equal(summary[2], logLoss(labels, scores).toFixed(4));
  });

  it('reports failed requests with their code and exits 1', async () => {
    // The bundled sample's ids reach 1,000,000; this server's model takes ids below 1000, so every request is refused.
    const narrow = await startTestServer();
    try {
      const run = await runClient(['--connect', narrow.target, '--batchsize', '5', '--requests', '2', '--quiet']);
      assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
      assert.match(run.stdout, /requests=0 rows=0 failed=2 \{"INVALID_ARGUMENT":2\}/);
    } finally {
      await narrow.stop();
    }
  });

  it('exits 2 for bad flags, with the reason', async () => {
    const bad = await runClient(['--connect', t.target, '--batchsize', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--batchsize must be at least 1; got 0/);
    const unknown = await runClient(['--bogus', '1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown flag --bogus/);
  });
});
