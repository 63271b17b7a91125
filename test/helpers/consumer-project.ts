/**
 * A temporary npm project that depends on this package as `npm pack` makes it, installed with
 * `npm ci --offline` (no network): the lock file is this repository's, plus the tarball, so npm
 * takes every dependency from its cache (which `npm ci` of this repository filled).
 *
 * Contract: `makeConsumerProject()` resolves with the project directory, or with `skip` (a reason)
 * when npm is missing or its cache lacks a dependency; throws on any other failure.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/paths/repo-root';

interface LockEntry { version?: string; dev?: boolean; devOptional?: boolean; [key: string]: unknown }
interface Lock { packages: Record<string, LockEntry> }
interface Pkg { name: string; version: string; dependencies: Record<string, string>; bin: Record<string, string> }

function npm(args: readonly string[], cwd: string) {
  return spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', timeout: 120_000 });
}

export async function makeConsumerProject(): Promise<{ dir: string; tarball: string } | { skip: string }> {
  if (spawnSync('npm', ['--version']).status !== 0) return { skip: 'npm is not on PATH' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-serving-consumer-'));
  // --ignore-scripts: `prepare` would rebuild dist/ (which the running tests use).
  const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir, REPO_ROOT], dir);
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Pkg;
  const tarballName = `${pkg.name}-${pkg.version}.tgz`;
  const tarball = path.join(dir, tarballName);
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const dependencies = { [pkg.name]: `file:${tarballName}`, '@types/node': lock.packages['node_modules/@types/node'].version! };
  const packages: Record<string, LockEntry> = { '': { name: 'consumer', version: '1.0.0', dependencies } };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '') continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[key] = rest;
  }
  packages[`node_modules/${pkg.name}`] = {
    version: pkg.version, resolved: `file:${tarballName}`,
    integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    dependencies: pkg.dependencies, bin: pkg.bin,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  const install = npm(['ci', '--offline', '--ignore-scripts'], dir);
  if (install.status !== 0) {
    if (/ENOTCACHED|only-if-cached/.test(install.stderr)) return { skip: `npm's cache lacks a dependency and the test stays offline: ${install.stderr.split('\n')[0]}` };
    throw new Error(`npm ci of the packed tarball failed: ${install.stderr}`);
  }
  return { dir, tarball };
}
