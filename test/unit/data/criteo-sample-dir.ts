/**
 * Locates the real Criteo sample lines, which live outside the repository (`../shared/data/
 * criteo_sample` next to the checkout) and must not be copied into it. Tests that need them pass
 * `{ skip: SKIP_WITHOUT_CRITEO_SAMPLE }`: false when present, else the reason to print.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../src/paths/repo-root';

export const CRITEO_SAMPLE_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'criteo_sample');
export const SLOT_SAMPLE = path.join(CRITEO_SAMPLE_DIR, 'slot', 'sample_train.txt');
export const RAW_SAMPLE = path.join(CRITEO_SAMPLE_DIR, 'raw', 'part-0');

export const SKIP_WITHOUT_CRITEO_SAMPLE: string | false =
  existsSync(SLOT_SAMPLE) && existsSync(RAW_SAMPLE)
    ? false
    : `real Criteo sample not found at ${CRITEO_SAMPLE_DIR} (it sits beside the checkout, not in it); skipped`;
