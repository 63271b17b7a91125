/**
 * The repository (package) root, found from this file's location in src/ or dist/src/, so the
 * CLIs' defaults (serving_server/, serving_client/) work from any working directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'proto'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

export const REPO_ROOT = findRepoRoot();
