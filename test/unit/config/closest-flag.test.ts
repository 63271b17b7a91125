import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { closestFlag } from '../../../src/config/closest-flag';
import { FlagError, parseFlags } from '../../../src/config/parse-flags';

it('closestFlag suggests near misses and nothing for unrelated names', () => {
  const known = ['port', 'prometheus_port', 'batchsize', 'threads', 'connect', 'max_batch_size', 'data_dir'];
  assert.equal(closestFlag('prot', known), 'port');
  assert.equal(closestFlag('batch_size', known), 'batchsize');
  assert.equal(closestFlag('thread', known), 'threads');
  assert.equal(closestFlag('datadir', known), 'data_dir');
  assert.equal(closestFlag('data-dir', known), 'data_dir');
  assert.equal(closestFlag('prometheus', known), 'prometheus_port');
  assert.equal(closestFlag('xyzzy', known), undefined);
  assert.equal(closestFlag('a', known), undefined);
});

it('parseFlags keeps "unknown flag --x" and adds the suggestion, skipping the flag\'s value', () => {
  assert.throws(() => parseFlags(['--prot', '1', '--port', '2'], { port: { kind: 'integer', help: '' } }), (error: FlagError) => {
    assert.deepEqual(error.problems, ['unknown flag --prot; did you mean --port?']);
    return true;
  });
});
