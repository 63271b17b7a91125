/**
 * What is on disk in a model repository, read fresh on every scan (start-up, poll, SIGHUP,
 * explicit load).
 *
 * Layout (Triton's): `<repository>/<model>/<version>/model.onnx` (or config.pbtxt's
 * default_model_filename), with the model's config next to the versions: `config.pbtxt` and/or
 * Paddle's `serving_server_conf.prototxt`. Version folders are numeric. `--model DIR` is a
 * one-model repository whose model directory is DIR itself, read as before: a flat `model.onnx`
 * (version "1") wins, then numbered version folders holding the model file, then the only
 * `*.onnx` (version "1").
 *
 * Contract: `listModels` names the model directories (hidden ones skipped); `listVersions` maps
 * each version to its model file and a fingerprint (size, mtime, inode: a replaced file reads as a
 * change); `configFingerprint` changes whenever a config file's content changes. No file is read
 * beyond the small config files; model bytes are read once, by the loader.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ModelSource {
  readonly name: string;
  readonly dir: string;
  /** True for `--model DIR` (a flat model file is version "1"). */
  readonly single: boolean;
}

export interface VersionOnDisk {
  readonly version: string;
  readonly modelPath: string;
  /** Changes when the file is replaced or rewritten; "missing" when the version folder has no model file. */
  readonly fingerprint: string;
}

export function listModels(repository: string): string[] {
  return fs.readdirSync(repository, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

export function listVersions(source: ModelSource, modelFileName: string): VersionOnDisk[] {
  const entries = fs.readdirSync(source.dir, { withFileTypes: true });
  const versions = entries.filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name)).map((entry) => {
    const modelPath = path.join(source.dir, entry.name, modelFileName);
    return { version: entry.name, modelPath, fingerprint: fingerprintOf(modelPath) };
  });
  if (!source.single) return versions;
  // `--model DIR` as before: a flat model.onnx wins, then version folders holding the model file, then the only *.onnx.
  const direct = path.join(source.dir, modelFileName);
  if (fs.existsSync(direct)) return [{ version: '1', modelPath: direct, fingerprint: fingerprintOf(direct) }];
  const complete = versions.filter((v) => v.fingerprint !== 'missing');
  if (complete.length > 0) return complete;
  const onnx = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.onnx')).map((entry) => entry.name);
  return onnx.length === 1 ? [{ version: '1', modelPath: path.join(source.dir, onnx[0]), fingerprint: fingerprintOf(path.join(source.dir, onnx[0])) }] : [];
}

/** Content hash of the model's config files (config.pbtxt and the Paddle prototxts). */
export function configFingerprint(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of ['config.pbtxt', 'serving_server_conf.prototxt', 'serving_client_conf.prototxt', 'serving_server_conf.stream.prototxt']) {
    try {
      hash.update(file).update(fs.readFileSync(path.join(dir, file)));
    } catch {
      hash.update(`${file}:absent`);
    }
  }
  return hash.digest('hex');
}

function fingerprintOf(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return 'missing';
  }
}
