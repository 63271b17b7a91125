/**
 * Every command-line program answers --help (usage and flags on stdout, exit 0) and --version
 * (the package version, exit 0), through the real CLI; rec-serve's help documents the
 * REC_SERVING_* environment variables, and those variables work.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { runCli } from '../helpers/run-cli';

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const PROGRAMS: ReadonlyArray<[string, string[], string]> = [
  ['serve.js', [], 'rec-serve'],
  ['rec-client.js', [], 'rec-client'],
  ['rec-serving.js', [], 'rec-serving'],
  ['rec-serving.js', ['convert'], 'rec-serving convert'],
  ['rec-serving.js', ['generate-data'], 'rec-serving generate-data'],
  ['install-gpu.js', [], 'install-gpu'],
  ['demo.js', [], 'demo'],
];

describe('--help and --version', () => {
  for (const [script, prefix, program] of PROGRAMS) {
    it(`${program} --help and --version`, async () => {
      const help = await runCli(script, [...prefix, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /usage: /);
      const version = await runCli(script, [...prefix, '--version']);
      assert.equal(version.code, 0, version.stderr);
      assert.equal(version.stdout, `${program} ${VERSION} (rec-serving on Node ${process.versions.node})\n`);
    });
  }

  it('rec-serving --help lists its commands; no command is an error naming them', async () => {
    const help = await runCli('rec-serving.js', ['--help']);
    assert.match(help.stdout, /convert .*\n.*\n {2}generate-data/);
    const none = await runCli('rec-serving.js', []);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /rec-serving: a command is required\nusage: rec-serving <command>/);
  });

  it('rec-serve --help documents REC_SERVING_* and the variables are applied (flags win)', async () => {
    const help = await runCli('serve.js', ['--help']);
    assert.match(help.stdout, /Environment:\n {2}REC_SERVING_<FLAG> +any rec-serve flag, upper-cased/);
    assert.match(help.stdout, /REC_SERVING_DEBUG=1/);
    const fromEnv = await runCli('serve.js', ['--model', '/nonexistent'], { env: { ...process.env, REC_SERVING_PORT: 'abc' } });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /--port takes an integer; got "abc"/);
  });
});
