/**
 * Reading and writing Paddle Serving's model config files, as found in a model directory
 * (`serving_server/`) or a client config directory (`serving_client/`).
 *
 * Contract:
 * - `readGeneralModelConfig(path)` reads one file: binary when the name ends with
 *   `.stream.prototxt` or the bytes hold control characters no text config has, else text.
 *   Every failure is a `ServingError` naming the file (NOT_FOUND when it does not exist,
 *   INVALID_ARGUMENT with the line and field for bad content).
 * - `readGeneralModelConfigFromDir(dir)` takes the first of `CONFIG_FILE_NAMES` that exists
 *   (text before binary, server before client) and fails with NOT_FOUND listing them all.
 * - `writeGeneralModelConfig(dir, config, { kind })` writes the text file and its binary
 *   `.stream.prototxt` twin, as Paddle's converter does, each via a temp file and a rename so a
 *   reader never sees half a file. It creates `dir` when missing.
 * - Reading returns the raw config; `toModelSignature()` validates it for serving.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSignature } from '../../core/model-signature';
import { invalidArgument, notFound } from '../../core/errors';
import type { GeneralModelConfig } from './general-model-config-schema';
import { createGeneralModelConfig, type GeneralModelConfigInit } from './create-general-model-config';
import { looksBinary, parseGeneralModelConfigBinary, serializeGeneralModelConfigBinary } from './general-model-config-binary';
import { formatGeneralModelConfigText, parseGeneralModelConfigText } from './general-model-config-text';
import { toModelSignature } from './to-model-signature';

export type ConfigKind = 'server' | 'client';

/** The file names Paddle uses, per kind. */
export const CONFIG_FILES: Readonly<Record<ConfigKind, { readonly text: string; readonly binary: string }>> = {
  server: { text: 'serving_server_conf.prototxt', binary: 'serving_server_conf.stream.prototxt' },
  client: { text: 'serving_client_conf.prototxt', binary: 'serving_client_conf.stream.prototxt' },
};

/** Lookup order of `readGeneralModelConfigFromDir()`. */
export const CONFIG_FILE_NAMES: readonly string[] = [
  CONFIG_FILES.server.text, CONFIG_FILES.client.text, CONFIG_FILES.server.binary, CONFIG_FILES.client.binary,
];

const BINARY_SUFFIX = '.stream.prototxt';

/** Reads one config file, text or binary. */
export function readGeneralModelConfig(file: string): GeneralModelConfig {
  const bytes = readFile(file);
  if (file.endsWith(BINARY_SUFFIX) || looksBinary(bytes)) return parseGeneralModelConfigBinary(bytes, file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidArgument(`${file}: not valid UTF-8 text (a text GeneralModelConfig was expected)`);
  }
  return parseGeneralModelConfigText(text, file);
}

/** The config file `readGeneralModelConfigFromDir()` would read. */
export function findGeneralModelConfigFile(dir: string): string {
  if (!isDirectory(dir)) {
    throw notFound(`model config directory ${dir} does not exist or is not a directory`);
  }
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw notFound(`no Paddle model config in ${dir}; looked for ${CONFIG_FILE_NAMES.join(', ')}`);
}

/** Reads the config of a model or client directory. */
export function readGeneralModelConfigFromDir(dir: string): GeneralModelConfig {
  return readGeneralModelConfig(findGeneralModelConfigFile(dir));
}

/** Reads a directory's config and validates it for serving; errors name the file. */
export function readModelSignatureFromDir(dir: string): ModelSignature {
  const file = findGeneralModelConfigFile(dir);
  return toModelSignature(readGeneralModelConfig(file), { source: file });
}

export interface WriteGeneralModelConfigOptions {
  /** Which pair of file names to write (`serving_server_conf.*` or `serving_client_conf.*`). */
  readonly kind: ConfigKind;
}

/** Writes `<dir>/serving_<kind>_conf.prototxt` and its `.stream.prototxt`; returns both paths. */
export function writeGeneralModelConfig(
  dir: string,
  config: GeneralModelConfig | GeneralModelConfigInit,
  options: WriteGeneralModelConfigOptions,
): { readonly textPath: string; readonly binaryPath: string } {
  const names = CONFIG_FILES[options.kind];
  if (names === undefined) throw invalidArgument(`kind must be "server" or "client"; got ${String(options.kind)}`);
  const explicit = createGeneralModelConfig(config);
  fs.mkdirSync(dir, { recursive: true });
  const textPath = path.join(dir, names.text);
  const binaryPath = path.join(dir, names.binary);
  writeAtomically(textPath, formatGeneralModelConfigText(explicit));
  writeAtomically(binaryPath, serializeGeneralModelConfigBinary(explicit));
  return { textPath, binaryPath };
}

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`Paddle model config file ${file} does not exist`);
    if (code === 'EISDIR') throw invalidArgument(`${file} is a directory; expected a config file`);
    throw invalidArgument(`cannot read Paddle model config file ${file}: ${(err as Error).message}`);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
