/**
 * Test fixtures: the DeepFM config exactly as Paddle Serving's converter writes it (see
 * docs/paddle-serving-compat.md §3), and helpers shared by the paddle-config tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export { REPO_ROOT } from '../../../src/paths/repo-root';

function varBlock(kind: 'feed' | 'fetch', name: string, type: number, shape: number): string {
  return [
    `${kind}_var {`,
    `  name: "${name}"`,
    `  alias_name: "${name}"`,
    '  is_lod_tensor: false',
    `  ${kind}_type: ${type}`,
    `  shape: ${shape}`,
    '}',
  ].join('\n');
}

/** The doc's DeepFM config: C1..C26 int64 [1], dense_input float32 [13], one float32 fetch. */
export const DEEPFM_CONFIG_TEXT = [
  ...Array.from({ length: 26 }, (_, i) => varBlock('feed', `C${i + 1}`, 0, 1)),
  varBlock('feed', 'dense_input', 1, 13),
  varBlock('fetch', 'sigmoid_0.tmp_0', 1, 1),
].join('\n') + '\n';

/** A fresh temporary directory, removed by the returned cleanup function. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paddle-config-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
