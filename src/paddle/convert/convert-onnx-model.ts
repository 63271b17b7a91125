/**
 * `rec-serving convert`: Paddle's `paddle_serving_client.convert` (inference_model_to_serving)
 * for ONNX models. From a `model.onnx`, writes `serving_server/` (the model, its
 * `serving_server_conf.prototxt` and binary `serving_server_conf.stream.prototxt`) and
 * `serving_client/` (`serving_client_conf.prototxt` and its `.stream.prototxt`).
 *
 * Contract: feed and fetch vars are the graph's inputs and outputs in graph order; names, dtypes
 * (Paddle type codes) and shapes (batch dimension dropped, dynamic dimensions as -1) come from
 * the graph. `feedAliasNames` / `fetchAliasNames`, when given, must name every input / output in
 * order (as Paddle requires); otherwise each alias is the real name. Throws an Error naming the
 * problem (missing model, alias count mismatch, duplicate alias) before writing anything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSignature, TensorSpec } from '../../core/model-signature';
import { readOnnxModelInfo, type OnnxTensorInfo } from '../../model/onnx';
import { fromModelSignature, writeGeneralModelConfig } from '../../model/paddle-config';

export interface ConvertOptions {
  /** The ONNX model file. */
  readonly modelPath: string;
  readonly servingServerDir: string;
  readonly servingClientDir: string;
  readonly feedAliasNames?: readonly string[];
  readonly fetchAliasNames?: readonly string[];
}

export interface ConvertResult {
  readonly signature: ModelSignature;
  readonly files: readonly string[];
}

export function convertOnnxModel(options: ConvertOptions): ConvertResult {
  if (!fs.existsSync(options.modelPath) || !fs.statSync(options.modelPath).isFile()) {
    throw new Error(`ONNX model ${options.modelPath} does not exist`);
  }
  const info = readOnnxModelInfo(options.modelPath);
  const inputs = withAliases(info.inputs, options.feedAliasNames, 'feed', 'input');
  const outputs = withAliases(info.outputs, options.fetchAliasNames, 'fetch', 'output');
  const signature: ModelSignature = { inputs, outputs };
  const config = fromModelSignature(signature);
  fs.mkdirSync(options.servingServerDir, { recursive: true });
  const modelTarget = path.join(options.servingServerDir, 'model.onnx');
  if (path.resolve(modelTarget) !== path.resolve(options.modelPath)) fs.copyFileSync(options.modelPath, modelTarget);
  const server = writeGeneralModelConfig(options.servingServerDir, config, { kind: 'server' });
  const client = writeGeneralModelConfig(options.servingClientDir, config, { kind: 'client' });
  return { signature, files: [modelTarget, server.textPath, server.binaryPath, client.textPath, client.binaryPath] };
}

function withAliases(tensors: readonly OnnxTensorInfo[], aliases: readonly string[] | undefined, kind: string, role: string): TensorSpec[] {
  if (aliases !== undefined && aliases.length > 0 && aliases.length !== tensors.length) {
    throw new Error(`--${kind}_alias_names has ${aliases.length} names but the model has ${tensors.length} ${role}s (${tensors.map((t) => t.name).join(', ')}); give one alias per ${role}, in order`);
  }
  const specs = tensors.map((tensor, i): TensorSpec => ({
    name: tensor.name,
    alias: aliases !== undefined && aliases.length > 0 ? aliases[i] : tensor.name,
    dtype: tensor.dtype,
    shape: tensor.dims.slice(1).map((d) => (d < 0 ? -1 : d)),
  }));
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.alias === '') throw new Error(`--${kind}_alias_names: the alias of ${role} "${spec.name}" is empty`);
    if (seen.has(spec.alias)) throw new Error(`--${kind}_alias_names: alias "${spec.alias}" is given twice`);
    seen.add(spec.alias);
  }
  return specs;
}
