/**
 * The scale-out benchmark at test size through its real CLI (child process): 1 and 2 rec-serve
 * processes, and nginx in front of each where nginx is installed, one short interleaved round on
 * the tiny DeepFM. Checks that it runs and writes its table with every series and no failed
 * call, never timing.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { nginxBinary } from '../../helpers/nginx';
import { makeTempDir, makeTinyDeepFmDir } from '../../helpers/test-server';

test('scale-out writes batch-5 rows/s for 1 and 2 processes, direct and through nginx', { timeout: 180_000 }, async () => {
  const outDir = makeTempDir('scale-out');
  const out = path.join(outDir, 'scale-out.md');
  const args = [path.join(REPO_ROOT, 'dist', 'benchmarks', 'scale-out.js'), '--model', makeTinyDeepFmDir({ vocabularySize: 1_000_001 }).dir,
    '--rounds', '1', '--seconds', '0.3', '--warmup_s', '0.1', '--concurrency', '2', '--connections', '2', '--out_dir', outDir];
  const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, timeout: 170_000 }, (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }));
  });
  assert.equal(run.code, 0, run.stderr);
  const table = fs.readFileSync(out, 'utf8');
  const series = ['direct, 1 process', 'direct, 2 processes', ...(nginxBinary() === undefined ? [] : ['nginx, 1 process', 'nginx, 2 processes'])];
  for (const name of series) {
    const row = table.split('\n').find((line) => line.startsWith(`| ${name} |`));
    assert.ok(row, `${name} row in:\n${table}`);
    const cells = row.split('|').map((c) => c.trim());
    assert.ok(Number(cells[3]) > 0, `rows/s of ${name}: ${row}`);
    assert.equal(cells[7], '0', `failed calls of ${name}: ${row}`);
  }
  assert.match(table, /- Command: `node dist\/benchmarks\/scale-out\.js/);
});
