/**
 * `--max_request_rows` caps the rows of one request; its older name `--max_batch_rows` still
 * works, and the two given with different values are refused rather than one silently winning.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { FlagError } from '../../../src/config/parse-flags';
import { loadServeConfig } from '../../../src/config/serve-config';

const load = (argv: string[]) => loadServeConfig(argv, {}, 2);

it('takes --max_request_rows, or its older name --max_batch_rows, and defaults to 4096', () => {
  assert.equal(load([]).maxRequestRows, 4096);
  assert.equal(load(['--max_request_rows', '64']).maxRequestRows, 64);
  assert.equal(load(['--max_batch_rows', '32']).maxRequestRows, 32);
  assert.equal(load(['--max_batch_rows', '32', '--max_request_rows', '32']).maxRequestRows, 32);
});

it('refuses the two names with different values, and names the older one when it is the bad one', () => {
  assert.throws(() => load(['--max_batch_rows', '32', '--max_request_rows', '64']),
    (error: FlagError) => error.problems.some((p) => /--max_batch_rows is the older name of --max_request_rows; they disagree \(32 vs 64\)/.test(p)));
  assert.throws(() => load(['--max_batch_rows', '0']), (error: FlagError) => error.problems.some((p) => /^--max_batch_rows must be a positive integer; got 0/.test(p)));
});
