/**
 * `--processes N` and the CPU budget: processes x workers x intra-op threads = cores by default,
 * explicit values respected, bad values refused naming the flag.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError } from '../../../src/config/parse-flags';
import { loadServeConfig } from '../../../src/config/serve-config';

describe('--processes', () => {
  it('divides the cores among processes first, then workers and threads within each', () => {
    const one = loadServeConfig([], {}, 8);
    assert.deepEqual([one.processes, one.workers, one.cpuThreadsPerWorker], [1, 8, 1]);
    const two = loadServeConfig(['--processes', '2'], {}, 8);
    assert.deepEqual([two.processes, two.workers, two.cpuThreadsPerWorker], [2, 4, 1]);
    const threads = loadServeConfig(['--processes', '2', '--cpu_threads', '2'], {}, 8);
    assert.deepEqual([threads.workers, threads.cpuThreadsPerWorker], [2, 2]);
    const many = loadServeConfig(['--processes', '4'], {}, 2);
    assert.deepEqual([many.workers, many.cpuThreadsPerWorker], [1, 1], 'at least one worker and one thread per process');
    assert.equal(loadServeConfig([], { REC_SERVING_PROCESSES: '3' }, 6).processes, 3);
  });

  it('refuses values outside 1..64', () => {
    assert.throws(() => loadServeConfig(['--processes', '0'], {}, 8), (e: Error) => e instanceof FlagError && /--processes must be an integer in 1\.\.64; got 0/.test(e.message));
    assert.throws(() => loadServeConfig(['--processes', '65'], {}, 8), /got 65/);
  });
});
