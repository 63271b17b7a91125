/**
 * `rec-serving generate-data` through the real CLI: writes the bundled sample's bytes for the
 * same seed and line count, splits over --files, and refuses a missing --out.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';
import { runCli } from '../../helpers/run-cli';

it('rec-serving generate-data writes the bundled sample for --lines 200 --seed 1 and splits with --files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-serving-gen-'));
  try {
    const one = await runCli('rec-serving.js', ['generate-data', '--out', path.join(dir, 'part-0'), '--lines', '200', '--seed', '1', '--quiet']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^wrote 200 lines/);
    assert.equal(one.stderr, '');
    const expected = fs.readFileSync(path.join(REPO_ROOT, 'serving_client', 'sample_data', 'part-0'));
    assert.ok(fs.readFileSync(path.join(dir, 'part-0')).equals(expected), 'same bytes as serving_client/sample_data/part-0');
    const split = await runCli('rec-serving.js', ['generate-data', '--out', path.join(dir, 'split'), '--lines', '200', '--seed', '1', '--files', '3']);
    assert.equal(split.code, 0, split.stderr);
    assert.match(split.stderr, /generated 200\/200 lines \(100%\)/);
    const joined = Buffer.concat([0, 1, 2].map((i) => fs.readFileSync(path.join(dir, 'split', `part-${i}`))));
    assert.ok(joined.equals(expected));
    const missing = await runCli('rec-serving.js', ['generate-data', '--lines', '5']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /rec-serving generate-data: --out is required/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
