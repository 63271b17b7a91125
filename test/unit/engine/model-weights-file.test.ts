/**
 * Pinned weights files: the validated image split into a read-only graph + external-data file in
 * a private directory, same scores from the file as from the bytes, nothing pinned when no tensor
 * is large enough, release() removes it, and directories of dead servers are swept.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { prepareModelImage, sessionBytes } from '../../../src/engine/model-image';
import { pinWeightsToFile } from '../../../src/engine/model-weights-file';
import { OrtSessionRunner } from '../../../src/engine/ort-session-runner';
import { toOrtSessionOptions } from '../../../src/engine/session-config';
import { criteoFeed } from '../../helpers/feeds';
import { writeHalfPlusTwoModel, writeTinyDeepFm } from '../../helpers/model-fixtures';
import { makeTempDir } from '../../helpers/test-server';

const SESSION = toOrtSessionOptions({ intraOpThreads: 1, allowSpinning: false, graphOptimizationLevel: 'basic', memoryOptimization: true, executionProviders: [{ name: 'cpu' }] });

describe('pinWeightsToFile', () => {
  it('splits the weights into a private read-only file that sessions load with the same scores', async () => {
    // A dead server's directory (no process has this pid) is swept by the first pin.
    const stale = path.join(os.tmpdir(), 'rec-serving-weights-2147483646-test');
    fs.mkdirSync(stale, { recursive: true });
    const written = writeTinyDeepFm(makeTempDir('pin'));
    const { image } = prepareModelImage(written.path, written.bytes, { packColumns: false });
    const pinned = pinWeightsToFile(image);
    assert.equal(fs.existsSync(stale), false, 'stale directory swept');
    assert.match(pinned.note, /weights \([\d.]+ MiB in \d+ tensors\) are memory-mapped read-only by every session/);
    const file = pinned.image.file!;
    const dir = path.dirname(file);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'weights.bin')).mode & 0o777, 0o400);
    assert.ok(pinned.image.bytes.byteLength < image.bytes.byteLength / 4, 'only the graph stays in memory');
    const feed = criteoFeed(7);
    const fromBytes = await OrtSessionRunner.create(sessionBytes(image), SESSION);
    const fromFile = await OrtSessionRunner.create(file, SESSION);
    try {
      const a = await fromBytes.run(feed, ['sigmoid_0.tmp_0']);
      const b = await fromFile.run(feed, ['sigmoid_0.tmp_0']);
      assert.deepEqual(b.outputs['sigmoid_0.tmp_0'].data, a.outputs['sigmoid_0.tmp_0'].data);
    } finally {
      await fromBytes.release();
      await fromFile.release();
    }
    pinned.release();
    assert.equal(fs.existsSync(dir), false);
  });

  it('leaves a model without a large tensor as it is, saying why', () => {
    const modelPath = writeHalfPlusTwoModel(makeTempDir('pin-small'));
    const { image } = prepareModelImage(modelPath, fs.readFileSync(modelPath), { packColumns: false });
    const pinned = pinWeightsToFile(image);
    assert.equal(pinned.image, image);
    assert.match(pinned.note, /weights are copied into each session: no tensor of at least 4096 bytes/);
  });
});
