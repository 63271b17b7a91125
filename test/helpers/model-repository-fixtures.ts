/**
 * Model repositories for tests: `<repo>/<model>/<version>/model.onnx` tiny DeepFMs whose weights
 * come from a seed (so versions answer differently), the repo's Paddle prototxt next to the
 * versions, an optional config.pbtxt, and a server started on the repository (port 0, 1 worker).
 * `addVersion` writes the version under a hidden name and renames it into place, as a deployment
 * should, so a poll never sees half a file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { loadServeConfig } from '../../src/config/serve-config';
import { createLogger } from '../../src/logging/logger';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { startServer, type RunningServer } from '../../src/server/start-server';
import { writeCorruptModel, writeTinyDeepFm } from './model-fixtures';
import { makeTempDir } from './test-server';

export function makeRepository(): string {
  return makeTempDir('repo');
}

export function addVersion(repo: string, model: string, version: string, options: { seed?: number; corrupt?: boolean } = {}): string {
  const modelDir = path.join(repo, model);
  fs.mkdirSync(modelDir, { recursive: true });
  const prototxt = path.join(modelDir, 'serving_server_conf.prototxt');
  if (!fs.existsSync(prototxt)) fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), prototxt);
  const staging = path.join(modelDir, `.staging-${version}`);
  fs.mkdirSync(staging, { recursive: true });
  if (options.corrupt === true) writeCorruptModel(staging, 'garbage');
  else writeTinyDeepFm(staging, { seed: options.seed ?? Number(version) });
  const target = path.join(modelDir, version);
  fs.renameSync(staging, target);
  return target;
}

export function writeModelConfig(repo: string, model: string, text: string): void {
  fs.mkdirSync(path.join(repo, model), { recursive: true });
  fs.writeFileSync(path.join(repo, model, 'config.pbtxt'), text);
}

export interface RepositoryServer {
  readonly server: RunningServer;
  readonly client: RecServingClient;
  readonly logLines: string[];
  stop(): Promise<void>;
}

export async function startRepositoryServer(repo: string, flags: readonly string[] = []): Promise<RepositoryServer> {
  const config = loadServeConfig(['--model_repository', repo, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', ...flags], {}, 2);
  const logLines: string[] = [];
  const server = await startServer(config, createLogger('debug', (line) => logLines.push(line)));
  const client = RecServingClient.connect(`127.0.0.1:${server.port}`);
  return {
    server, client, logLines,
    async stop() {
      client.close();
      await server.stop();
    },
  };
}
