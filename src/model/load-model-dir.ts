/**
 * Loads a model directory (Paddle's `serving_server/` layout plus an ONNX model) into what the
 * server needs: the model file and a signature whose integer inputs carry their embedding ranges.
 *
 * Layout: `<dir>/model.onnx` (or the only `*.onnx`), or numeric version folders
 * `<dir>/<version>/model.onnx` (the highest is served), and `serving_server_conf.prototxt`
 * (or the client/stream variants). Without a config the signature comes from the ONNX graph.
 *
 * Contract: `loadModelDir` returns a frozen `LoadedModel` or throws one Error listing every
 * mismatch between the config and the ONNX graph (names, dtypes, shapes), naming both files.
 * A missing or corrupt model fails here, at startup, with the file named.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSignature, TensorSpec } from '../core/model-signature';
import { readOnnxModelInfo, type OnnxModelInfo, type OnnxTensorInfo } from './onnx';
import { findGeneralModelConfigFile, readGeneralModelConfig, toModelSignature } from './paddle-config';

export interface LoadedModel {
  readonly dir: string;
  readonly modelPath: string;
  /** The model file's bytes as read and validated here: what every session loads (never re-read). */
  readonly modelBytes: Uint8Array;
  /** Version folder name, or "1" for a flat directory. */
  readonly version: string;
  /** The config file the signature came from, or undefined when derived from the ONNX graph. */
  readonly configPath: string | undefined;
  readonly signature: ModelSignature;
  readonly onnx: OnnxModelInfo;
}

export function loadModelDir(dir: string): LoadedModel {
  const absoluteDir = path.resolve(dir);
  if (!fs.existsSync(absoluteDir) || !fs.statSync(absoluteDir).isDirectory()) {
    throw new Error(`model directory ${absoluteDir} does not exist`);
  }
  const { modelPath, version } = findModelFile(absoluteDir);
  return loadModelVersion(absoluteDir, modelPath, version);
}

/**
 * One version of a model: `modelPath` read once and checked against the model's config (the
 * Paddle prototxt in `dir`, or `declared` when given: e.g. a Triton config.pbtxt's inputs and
 * outputs, also checked when both exist; neither: the graph's own signature).
 */
export function loadModelVersion(
  dir: string, modelPath: string, version: string,
  options: { declared?: ModelSignature; declaredSource?: string } = {},
): LoadedModel {
  const absoluteDir = path.resolve(dir);
  let modelBytes: Uint8Array;
  try {
    modelBytes = fs.readFileSync(modelPath);
  } catch (err) {
    throw new Error(`cannot read ONNX model ${modelPath}: ${(err as Error).message}`, { cause: err });
  }
  const onnx = readOnnxModelInfo(modelBytes, modelPath);
  const prototxt = findConfigFile(absoluteDir);
  const configPath = prototxt ?? (options.declared === undefined ? undefined : options.declaredSource);
  const declared = prototxt !== undefined ? toModelSignature(readGeneralModelConfig(prototxt), { source: prototxt }) : options.declared ?? signatureFromOnnx(onnx);
  // A config.pbtxt's inputs/outputs next to a Paddle prototxt (which gives the signature): the graph must match both.
  if (prototxt !== undefined && options.declared !== undefined) reconcile(options.declared, onnx, options.declaredSource ?? '(config)', modelPath);
  const signature = reconcile(declared, onnx, configPath ?? '(no config)', modelPath);
  return Object.freeze({ dir: absoluteDir, modelPath, modelBytes, version, configPath, signature, onnx });
}

/** The served model file of a `--model DIR` and its version, or an Error naming what was expected. */
export function findModelFile(dir: string): { modelPath: string; version: string } {
  const direct = path.join(dir, 'model.onnx');
  if (fs.existsSync(direct)) return { modelPath: direct, version: '1' };
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const versions = entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const candidate = path.join(dir, version, 'model.onnx');
    if (fs.existsSync(candidate)) return { modelPath: candidate, version };
  }
  const onnxFiles = entries.filter((e) => e.isFile() && e.name.endsWith('.onnx')).map((e) => e.name);
  if (onnxFiles.length === 1) return { modelPath: path.join(dir, onnxFiles[0]), version: '1' };
  const found = onnxFiles.length === 0 ? 'none' : onnxFiles.join(', ');
  throw new Error(
    `no model in ${dir}: expected model.onnx, <version>/model.onnx or exactly one *.onnx file (found: ${found}).` +
      ' For the default model run `npm run prepare` (or `node dist/src/model/generate-default-model.js`).',
  );
}

function findConfigFile(dir: string): string | undefined {
  try {
    return findGeneralModelConfigFile(dir);
  } catch {
    return undefined;
  }
}

function signatureFromOnnx(onnx: OnnxModelInfo): ModelSignature {
  const spec = (info: OnnxTensorInfo): TensorSpec => ({ name: info.name, alias: info.name, dtype: info.dtype, shape: info.dims.slice(1) });
  return { inputs: onnx.inputs.map(spec), outputs: onnx.outputs.map(spec) };
}

/** Checks the declared signature against the graph and attaches id ranges from the graph. */
function reconcile(declared: ModelSignature, onnx: OnnxModelInfo, configPath: string, modelPath: string): ModelSignature {
  const problems: string[] = [];
  const graphInputs = new Map(onnx.inputs.map((info) => [info.name, info]));
  const graphOutputs = new Map(onnx.outputs.map((info) => [info.name, info]));
  const check = (spec: TensorSpec, info: OnnxTensorInfo | undefined, role: string, available: string[]) => {
    if (info === undefined) {
      problems.push(`${role} "${spec.name}" is not in the model (model ${role}s: ${available.join(', ')})`);
      return;
    }
    if (info.dtype !== spec.dtype) problems.push(`${role} "${spec.name}" is ${spec.dtype} in the config but ${info.dtype} in the model`);
    const graphShape = info.dims.slice(1);
    const compatible = graphShape.length === spec.shape.length && graphShape.every((d, i) => d < 0 || spec.shape[i] < 0 || d === spec.shape[i]);
    if (!compatible) problems.push(`${role} "${spec.name}" has shape [${spec.shape.join(',')}] in the config but [${graphShape.join(',')}] (after the batch dimension) in the model`);
  };
  for (const spec of declared.inputs) check(spec, graphInputs.get(spec.name), 'input', [...graphInputs.keys()]);
  for (const spec of declared.outputs) check(spec, graphOutputs.get(spec.name), 'output', [...graphOutputs.keys()]);
  const declaredNames = new Set(declared.inputs.map((spec) => spec.name));
  const undeclared = onnx.inputs.filter((info) => !declaredNames.has(info.name)).map((info) => info.name);
  if (undeclared.length > 0) problems.push(`the model needs inputs the config does not feed: ${undeclared.join(', ')}`);
  if (problems.length > 0) {
    throw new Error(`${configPath} does not match ${modelPath}:\n  - ${problems.join('\n  - ')}`);
  }
  const inputs = declared.inputs.map((spec) => {
    const range = onnx.idRanges.get(spec.name);
    return range === undefined ? spec : { ...spec, idRange: { min: range.min, max: range.max } };
  });
  return Object.freeze({ inputs: Object.freeze(inputs), outputs: declared.outputs });
}
