/**
 * The client side of a model config (Paddle's serving_client_conf.prototxt): feed aliases in
 * order (the keys a client sends) and fetch aliases.
 *
 * Contract: `loadClientConfig` accepts the config file or its directory and throws an Error
 * naming the path when it is missing or invalid.
 */
import * as fs from 'node:fs';
import type { ModelSignature } from '../core/model-signature';
import { readGeneralModelConfig, readGeneralModelConfigFromDir, toModelSignature } from '../model/paddle-config';

export interface ClientConfig {
  readonly source: string;
  readonly signature: ModelSignature;
  readonly feedAliases: readonly string[];
  readonly fetchAliases: readonly string[];
}

export function loadClientConfig(pathOrDir: string): ClientConfig {
  if (!fs.existsSync(pathOrDir)) throw new Error(`client config ${pathOrDir} does not exist`);
  const isDir = fs.statSync(pathOrDir).isDirectory();
  const config = isDir ? readGeneralModelConfigFromDir(pathOrDir) : readGeneralModelConfig(pathOrDir);
  const signature = toModelSignature(config, { source: pathOrDir });
  return {
    source: pathOrDir,
    signature,
    feedAliases: signature.inputs.map((spec) => spec.alias),
    fetchAliases: signature.outputs.map((spec) => spec.alias),
  };
}
