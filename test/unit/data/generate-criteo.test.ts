import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createCriteoLineGenerator } from '../../../src/data/criteo-line-generator';
import { generateCriteoSlotFiles } from '../../../src/data/generate-criteo';
import { parseSlotLine } from '../../../src/data/slot-format';
import { REPO_ROOT } from '../../../src/paths/repo-root';

const scratch = mkdtempSync(path.join(tmpdir(), 'generate-criteo-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function generateLines(count: number, seed: number): string[] {
  const generator = createCriteoLineGenerator(seed);
  return Array.from({ length: count }, () => generator.nextLine());
}

test('same seed -> identical bytes; another seed -> different; splitting keeps the data', async () => {
  const a = path.join(scratch, 'a.txt');
  const b = path.join(scratch, 'b.txt');
  const c = path.join(scratch, 'c.txt');
  const resultA = await generateCriteoSlotFiles({ outPath: a, lines: 3000, seed: 42 });
  await generateCriteoSlotFiles({ outPath: b, lines: 3000, seed: 42 });
  await generateCriteoSlotFiles({ outPath: c, lines: 3000, seed: 43 });
  const bytesA = readFileSync(a);
  assert.equal(resultA.lines, 3000);
  assert.equal(resultA.bytes, bytesA.length);
  assert.equal(bytesA.toString().split('\n').length, 3001); // newline-terminated
  assert.ok(bytesA.equals(readFileSync(b)));
  assert.ok(!bytesA.equals(readFileSync(c)));

  const dir = path.join(scratch, 'parts');
  const split = await generateCriteoSlotFiles({ outPath: dir, lines: 3000, seed: 42, files: 4 });
  assert.deepEqual(readdirSync(dir).sort(), ['part-0', 'part-1', 'part-2', 'part-3']);
  assert.deepEqual(split.files, [0, 1, 2, 3].map((i) => path.join(dir, `part-${i}`)));
  const parts = split.files.map((f) => readFileSync(f));
  assert.deepEqual(parts.map((p) => p.toString().split('\n').length - 1), [750, 750, 750, 750]);
  assert.ok(Buffer.concat(parts).equals(bytesA));
});

test('the bundled client sample is reproducible from its documented command', { skip: existsSync(path.join(REPO_ROOT, 'serving_client/sample_data/part-0')) ? false : 'serving_client/sample_data/part-0 is absent' }, async () => {
  // node dist/src/data/generate-criteo.js --lines 200 --seed 1 --out serving_client/sample_data/part-0
  const out = path.join(scratch, 'sample-part-0');
  await generateCriteoSlotFiles({ outPath: out, lines: 200, seed: 1 });
  const bundled = readFileSync(path.join(REPO_ROOT, 'serving_client/sample_data/part-0'));
  assert.ok(readFileSync(out).equals(bundled), 'regenerate it with the command in serving_client/sample_data/README.md');
});

test('lines are valid slot lines: ids in [0, 1000000], dense non-negative with zeros, ~25% clicks', () => {
  const records = generateLines(20000, 7).map((line, i) => parseSlotLine(line, i + 1));
  let clicks = 0;
  let zeros = 0;
  for (const r of records) {
    clicks += r.label ?? NaN;
    for (const id of r.sparse) assert.ok(id >= 0n && id <= 1_000_000n, `id ${id}`);
    for (const x of r.dense) {
      assert.ok(x >= 0 && x <= 100, `dense ${x}`);
      if (x === 0) zeros++;
    }
  }
  const clickRate = clicks / records.length;
  assert.ok(clickRate > 0.2 && clickRate < 0.3, `click rate ${clickRate}`);
  const zeroShare = zeros / (13 * records.length);
  assert.ok(zeroShare > 0.1 && zeroShare < 0.6, `share of zero dense values ${zeroShare}`);
});

test('ids are heavy-tailed per field and popular ids are scattered, not 1, 2, 3', () => {
  const records = generateLines(20000, 3).map((line) => parseSlotLine(line));
  for (const slot of [3, 10, 12, 24]) {
    const counts = new Map<bigint, number>();
    for (const r of records) counts.set(r.sparse[slot - 1], (counts.get(r.sparse[slot - 1]) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1]);
    assert.ok(sorted.length > 1000, `slot ${slot}: ${sorted.length} distinct ids`);
    const top = sorted.slice(0, Math.floor(sorted.length / 100));
    const share = top.reduce((sum, [, n]) => sum + n, 0) / records.length;
    // Measured ~0.42-0.49; uniformly drawn ids would give about 0.02.
    assert.ok(share > 0.3, `slot ${slot}: top 1% of ids cover ${share} of occurrences`);
    assert.ok(top.slice(0, 10).filter(([id]) => id <= 10n).length <= 1, `slot ${slot}: popular ids ${top.slice(0, 10)}`);
  }
  // Fields differ in cardinality, as in Criteo (C9 has a handful of values, C3 thousands here).
  const distinct = (slot: number): number => new Set(records.map((r) => r.sparse[slot - 1])).size;
  assert.ok(distinct(9) <= 4 && distinct(3) > 5000, `C9 ${distinct(9)}, C3 ${distinct(3)}`);
});

test('options are validated with the constraint and the value', async () => {
  const outPath = path.join(scratch, 'never.txt');
  await assert.rejects(generateCriteoSlotFiles({ outPath, lines: -1 }), /lines must be a non-negative integer; got -1/);
  await assert.rejects(generateCriteoSlotFiles({ outPath, seed: 2 ** 32 }), /seed must be an integer in \[0, 2\^32\); got 4294967296/);
  await assert.rejects(generateCriteoSlotFiles({ outPath, files: 0 }), /files must be a positive integer; got 0/);
  assert.throws(() => createCriteoLineGenerator(-1), /seed must be an integer in \[0, 2\^32\); got -1/);
});

test('CLI writes the file and reports the rate; bad flags exit 1 with usage', () => {
  const cli = path.resolve(__dirname, '../../../src/data/generate-criteo.js');
  const out = path.join(scratch, 'cli.txt');
  const stdout = execFileSync(process.execPath, [cli, '--lines', '50', '--seed', '9', '--out', out], { encoding: 'utf8', stdio: 'pipe' });
  assert.match(stdout, /^wrote 50 lines \([\d.]+ MB\) to .*cli\.txt in [\d.]+ s: \d+ lines\/s/);
  assert.deepEqual(readFileSync(out, 'utf8').trimEnd().split('\n'), generateLines(50, 9));
  const bad = spawnSync(process.execPath, [cli, '--rows', '5'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown argument "--rows"; usage: --out FILE/);
});
