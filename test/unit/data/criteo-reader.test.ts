import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import {
  compareFileNames, detectCriteoFormat, listCriteoFiles, readCriteoRecords, type ReadCriteoOptions,
} from '../../../src/data/criteo-reader';
import type { CriteoRecord } from '../../../src/data/criteo-record';
import { RAW_SAMPLE, SKIP_WITHOUT_CRITEO_SAMPLE, SLOT_SAMPLE } from './criteo-sample-dir';

const scratch = mkdtempSync(path.join(tmpdir(), 'criteo-reader-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function collect(pathOrDir: string, options?: ReadCriteoOptions): Promise<CriteoRecord[]> {
  const records: CriteoRecord[] = [];
  for await (const r of readCriteoRecords(pathOrDir, options)) records.push(r);
  return records;
}

function labelCounts(records: CriteoRecord[]): [number, number] {
  return [records.filter((r) => r.label === 0).length, records.filter((r) => r.label === 1).length];
}

function firstLine(file: string): string {
  return readFileSync(file, 'utf8').split('\n')[0];
}

test('the slot sample parses into 80 records (57 click:0 / 23 click:1)', { skip: SKIP_WITHOUT_CRITEO_SAMPLE }, async () => {
  const records = await collect(SLOT_SAMPLE, { format: 'slot' });
  assert.equal(records.length, 80);
  assert.deepEqual(labelCounts(records), [57, 23]);
  assert.equal(records[0].sparse[0], 737395n);
});

test('the raw sample parses into 100 records (71 / 29)', { skip: SKIP_WITHOUT_CRITEO_SAMPLE }, async () => {
  const records = await collect(RAW_SAMPLE, { format: 'raw' });
  assert.equal(records.length, 100);
  assert.deepEqual(labelCounts(records), [71, 29]);
  assert.equal(records[0].sparse[0], 737395n); // C1 05db9164
});

test('auto-detection picks the right format for each sample', { skip: SKIP_WITHOUT_CRITEO_SAMPLE }, async () => {
  assert.equal(detectCriteoFormat(firstLine(SLOT_SAMPLE)), 'slot');
  assert.equal(detectCriteoFormat(firstLine(RAW_SAMPLE)), 'raw');
  assert.deepEqual(await collect(SLOT_SAMPLE), await collect(SLOT_SAMPLE, { format: 'slot' }));
  assert.deepEqual(await collect(RAW_SAMPLE), await collect(RAW_SAMPLE, { format: 'raw' }));
});

test('forcing the wrong format fails on line 1 and names the file', { skip: SKIP_WITHOUT_CRITEO_SAMPLE }, async () => {
  await assert.rejects(collect(RAW_SAMPLE, { format: 'slot' }), (err: Error) => {
    assert.ok(err.message.startsWith(`${RAW_SAMPLE}: line 1: `), err.message);
    return true;
  });
  await assert.rejects(collect(SLOT_SAMPLE, { format: 'raw' }), /: line 1: expected 40 TAB-separated columns; got 1/);
});

test('detectCriteoFormat on synthetic lines', () => {
  assert.equal(detectCriteoFormat(`0${'\t'.repeat(39)}`), 'raw');
  assert.equal(detectCriteoFormat(`0${'\t'.repeat(39)}\r`), 'raw');
  assert.equal(detectCriteoFormat(`0${'\t'.repeat(38)}`), undefined);
  assert.equal(detectCriteoFormat('click:1 1:5'), 'slot');
  assert.equal(detectCriteoFormat('1 0.5 0.25'), undefined);
  assert.equal(detectCriteoFormat('hello world'), undefined);
});

test('auto-detection fails clearly on an unknown format', async () => {
  const file = path.join(scratch, 'unknown.txt');
  writeFileSync(file, '\n# a comment\n');
  await assert.rejects(collect(file), (err: Error) => {
    assert.match(err.message, /unknown\.txt: line 2: cannot detect the format: expected 40 TAB-separated columns \(raw Criteo\) or space-separated key:value tokens \(slot\); got "# a comment"/);
    return true;
  });
  await assert.rejects(collect(file, { format: 'csv' as never }), /format must be one of "slot", "raw", "auto"; got "csv"/);
});

test('a malformed line in a file names the file and the line number', async () => {
  const file = path.join(scratch, 'bad.txt');
  writeFileSync(file, 'click:0 1:5\n\nclick:1 2:x\n');
  await assert.rejects(collect(file), (err: Error) => {
    assert.equal(err.message, `${file}: line 3: slot 2: expected a non-negative int64 id; got "2:x"`);
    return true;
  });
});

test('a directory is read file by file in natural name order, skipping docs and dotfiles', async () => {
  const dir = path.join(scratch, 'parts');
  const raw = `1${'\t'.repeat(39)}`;
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'part-10'), 'click:0 1:10\n');
  writeFileSync(path.join(dir, 'part-2'), `${raw}\r\n${raw}\r\n`); // raw with CRLF, next to slot files
  writeFileSync(path.join(dir, 'part-1'), 'click:1 1:1\n');
  writeFileSync(path.join(dir, 'README.md'), '# not data\n');
  writeFileSync(path.join(dir, '.hidden'), 'junk\n');
  assert.deepEqual((await listCriteoFiles(dir)).map((f) => path.basename(f)), ['part-1', 'part-2', 'part-10']);
  const records = await collect(dir);
  assert.equal(records.length, 4);
  assert.equal(records[0].sparse[0], 1n);
  assert.equal(records[3].sparse[0], 10n);
  assert.equal(records[1].label, 1);
  assert.ok(compareFileNames('a2', 'a10') < 0);
  assert.ok(compareFileNames('b', 'a10') > 0);
  assert.ok(compareFileNames('part-1', 'part-1.bak') < 0);
  const empty = path.join(scratch, 'empty');
  mkdirSync(empty);
  await assert.rejects(collect(empty), /empty: directory holds no data files/);
});

test('stopping early closes the file', async () => {
  const file = path.join(scratch, 'many.txt');
  writeFileSync(file, 'click:0 1:1\n'.repeat(1000));
  let n = 0;
  for await (const _ of readCriteoRecords(file)) if (++n === 3) break;
  assert.equal(n, 3);
});
