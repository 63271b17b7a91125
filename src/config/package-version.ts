/**
 * The package's name and version, read once from its package.json, for every CLI's `--version`.
 *
 * Contract: `versionLine(program)` returns `<program> <version> (<package> on Node <version>)`;
 * the version is "unknown" when package.json cannot be read (never throws).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../paths/repo-root';

export function packageVersion(): { name: string; version: string } {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: typeof json.name === 'string' ? json.name : 'rec-serving', version: typeof json.version === 'string' ? json.version : 'unknown' };
  } catch {
    return { name: 'rec-serving', version: 'unknown' };
  }
}

export function versionLine(program: string): string {
  const { name, version } = packageVersion();
  return `${program} ${version} (${name} on Node ${process.versions.node})`;
}
