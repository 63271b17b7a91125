#!/usr/bin/env node
/**
 * `npm run demo`: starts `rec-serve` on the default model (a free port), runs `rec-client
 * --batchsize 5` over the bundled generated Criteo sample against it, then stops the server
 * with SIGTERM and exits with the client's status. Extra arguments go to rec-client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../paths/repo-root';
import { runMain } from './run-main';
import { versionLine } from '../config/package-version';

const SERVE = path.join(__dirname, 'serve.js');
const CLIENT = path.join(__dirname, 'rec-client.js');

function waitForPort(server: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      process.stderr.write(chunk);
      seen += chunk.toString();
      const match = /serving "[^"]*" on [^\s]+:(\d+)/.exec(seen);
      if (match) {
        server.stderr!.off('data', onData);
        server.stderr!.on('data', (more: Buffer) => process.stderr.write(more));
        resolve(Number(match[1]));
      }
    };
    server.stderr!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`rec-serve exited with code ${code} before it was ready`)));
  });
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('usage: npm run demo [-- <rec-client flags>]\nstarts rec-serve on a free port, runs rec-client --batchsize 5 over the bundled sample against it, stops the server.\nFlags after -- go to rec-client (rec-client --help lists them); --version prints the version.\n');
    return 0;
  }
  if (process.argv.includes('--version')) {
    process.stdout.write(`${versionLine('demo')}\n`);
    return 0;
  }
  const server = spawn(process.execPath, [SERVE, '--model', path.join(REPO_ROOT, 'serving_server'), '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'inherit', 'pipe'] });
  try {
    const port = await waitForPort(server);
    const clientArgs = ['--client_config', path.join(REPO_ROOT, 'serving_client'), '--connect', `127.0.0.1:${port}`, '--batchsize', '5', ...process.argv.slice(2)];
    process.stderr.write(`demo: rec-client ${clientArgs.join(' ')}\n`);
    const client = spawn(process.execPath, [CLIENT, ...clientArgs], { stdio: 'inherit' });
    return await new Promise<number>((resolve) => client.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  }
}

runMain('demo', main);
