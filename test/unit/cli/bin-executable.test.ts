/**
 * Every command package.json's `bin` names is executable after a build (`npm test` builds
 * first), so `npx rec-client` and `npm link`ed commands run after any rebuild.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';

it('every bin entry exists, starts with a node shebang and is executable', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const [command, file] of Object.entries(pkg.bin)) {
    const full = path.join(REPO_ROOT, file);
    assert.ok(fs.existsSync(full), `${command}: ${file} exists`);
    assert.match(fs.readFileSync(full, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node/, `${command}: shebang`);
    assert.notEqual(fs.statSync(full).mode & 0o111, 0, `${command}: ${file} is executable`);
  }
});
