/**
 * Starts the real server (worker pool, ONNX sessions, gRPC on localhost:0) on a model directory
 * made for the test, and a matching client. Teardown stops both.
 *
 * The default fixture is a tiny DeepFM (vocabulary 1000) with PaddleRec's input and output names
 * and a copy of the repo's serving_server_conf.prototxt, so tests exercise the same path as
 * `npm start` at a fraction of the load time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecServingClient } from '../../src/client/rec-serving-client';
import { loadServeConfig, type ServeConfig } from '../../src/config/serve-config';
import { REPO_ROOT } from '../../src/paths/repo-root';
import { createLogger, type Logger } from '../../src/logging/logger';
import { startServer, type RunningServer } from '../../src/server/start-server';
import { writeTinyDeepFm, type WrittenDeepFm } from './model-fixtures';

export interface TestServer {
  readonly server: RunningServer;
  readonly client: RecServingClient;
  readonly target: string;
  readonly modelDir: string;
  readonly logLines: string[];
  stop(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rec-serving-${prefix}-`));
}

/**
 * A model directory with the tiny DeepFM and the repo's DeepFM Paddle config. Pass
 * `vocabularySize: 1000001` (Criteo's hashed ids) for tests that send real Criteo data.
 */
export function makeTinyDeepFmDir(options: { vocabularySize?: number } = {}): { dir: string; model: WrittenDeepFm } {
  const dir = makeTempDir('model');
  const model = writeTinyDeepFm(dir, options.vocabularySize === undefined ? {} : { vocabularySize: options.vocabularySize, embeddingSize: 2 });
  fs.copyFileSync(path.join(REPO_ROOT, 'serving_server', 'serving_server_conf.prototxt'), path.join(dir, 'serving_server_conf.prototxt'));
  return { dir, model };
}

export async function startTestServer(options: { modelDir?: string; flags?: string[] } = {}): Promise<TestServer> {
  const modelDir = options.modelDir ?? makeTinyDeepFmDir().dir;
  const config: ServeConfig = loadServeConfig(
    ['--model', modelDir, '--host', '127.0.0.1', '--port', '0', '--thread', '1', '--warmup_batch_sizes', '1', ...(options.flags ?? [])],
    {},
    2,
  );
  const logLines: string[] = [];
  const logger: Logger = createLogger('debug', (line) => logLines.push(line));
  const server = await startServer(config, logger);
  const target = `127.0.0.1:${server.port}`;
  const client = RecServingClient.connect(target);
  return {
    server,
    client,
    target,
    modelDir,
    logLines,
    async stop() {
      client.close();
      await server.stop();
    },
  };
}
