/**
 * CLI: writes the default DeepFM model (random, untrained, deterministic) to
 * `serving_server/model.onnx` under the repository root, unless told otherwise.
 *
 *   node dist/src/model/generate-default-model.js [--out PATH] [--if-absent] [--seed N]
 *        [--vocabulary_size N] [--embedding_size N] [--hidden_units 400,400,400]
 *
 * Contract: runs during `npm install` (the `prepare` script), so it needs only node_modules and
 * takes about a second for the default shape. `--if-absent` leaves an existing file alone when
 * it reads as a valid ONNX model (whatever model it is: it may be the user's own) and rewrites it
 * when it is missing or invalid. The file is written atomically (temp file + rename), so a
 * concurrent reader never sees half a model. Prints one line saying what it did. Exit status:
 * 0 done, 2 bad arguments, 1 any other failure.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../paths/repo-root';
import { readOnnxModelInfo } from './onnx/read-onnx-model-info';
import { createDeepFmWeights } from './deepfm/deepfm-weights';
import { buildDeepFmOnnx } from './deepfm/build-deepfm-onnx';
import type { DeepFmOptions } from './deepfm/deepfm-options';

export interface GenerateDefaultModelOptions extends DeepFmOptions {
  /** Output path; default `<repo root>/serving_server/model.onnx`. */
  readonly outPath?: string;
  /** Keep an existing valid model instead of overwriting it. Default false. */
  readonly ifAbsent?: boolean;
}

export interface GenerateDefaultModelResult {
  readonly outPath: string;
  /** 'kept' when --if-absent found a valid model. */
  readonly action: 'written' | 'kept';
  readonly sizeBytes: number;
  readonly elapsedMs: number;
  /** Why an existing file was replaced (it was not a valid model), if it was. */
  readonly replacedBecause?: string;
  /** What was written, e.g. "DeepFM V=1000001 k=9 hidden=400,400,400 seed=20210901". */
  readonly description?: string;
}

export function defaultModelPath(): string {
  return join(REPO_ROOT, 'serving_server', 'model.onnx');
}

export function generateDefaultModel(options: GenerateDefaultModelOptions = {}): GenerateDefaultModelResult {
  const started = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  const outPath = resolve(options.outPath ?? defaultModelPath());
  let replacedBecause: string | undefined;
  if (options.ifAbsent && existsSync(outPath)) {
    try {
      readOnnxModelInfo(outPath);
      return { outPath, action: 'kept', sizeBytes: statSync(outPath).size, elapsedMs: elapsedMs() };
    } catch (err) {
      replacedBecause = (err as Error).message;
    }
  }
  const { outPath: _o, ifAbsent: _i, ...deepFmOptions } = options;
  const weights = createDeepFmWeights(deepFmOptions);
  const bytes = buildDeepFmOnnx(weights);
  const o = weights.options;
  const description = `DeepFM V=${o.vocabularySize} k=${o.embeddingSize} hidden=${o.hiddenUnits.join(',')} seed=${o.seed}`;
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, outPath);
  return { outPath, action: 'written', sizeBytes: bytes.length, elapsedMs: elapsedMs(), replacedBecause, description };
}

function parseCli(argv: readonly string[]): GenerateDefaultModelOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      out: { type: 'string' },
      'if-absent': { type: 'boolean' },
      seed: { type: 'string' },
      vocabulary_size: { type: 'string' },
      embedding_size: { type: 'string' },
      hidden_units: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const integer = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${flag} must be an integer; got "${text}"`);
    return Number(text);
  };
  const hiddenUnits = values.hidden_units === undefined ? undefined
    : values.hidden_units.trim() === '' ? [] : values.hidden_units.split(',').map((u) => integer('hidden_units', u)!);
  return {
    outPath: values.out,
    ifAbsent: values['if-absent'] ?? false,
    seed: integer('seed', values.seed),
    vocabularySize: integer('vocabulary_size', values.vocabulary_size),
    embeddingSize: integer('embedding_size', values.embedding_size),
    hiddenUnits,
  };
}

class UsageError extends Error {}

const USAGE = 'usage: generate-default-model [--out PATH] [--if-absent] [--seed N] [--vocabulary_size N] '
  + '[--embedding_size N] [--hidden_units 400,400,400]';

function main(): void {
  let options: GenerateDefaultModelOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error(`generate-default-model: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  try {
    const r = generateDefaultModel(options);
    const rel = relative(process.cwd(), r.outPath);
    const shown = rel === '' || rel.startsWith('..') ? r.outPath : rel;
    const size = `${(r.sizeBytes / 1e6).toFixed(1)} MB`;
    const time = `${(r.elapsedMs / 1000).toFixed(2)} s`;
    if (r.action === 'kept') {
      console.log(`generate-default-model: kept existing ${shown} (${size}, valid ONNX model; ${time})`);
    } else {
      const why = r.replacedBecause ? ` (replaced: ${r.replacedBecause})` : '';
      console.log(`generate-default-model: wrote ${shown} (${size}, ${r.description}, ${time})${why}`);
    }
  } catch (err) {
    console.error(`generate-default-model: ${(err as Error).message}`);
    process.exitCode = err instanceof RangeError ? 2 : 1;
  }
}

if (require.main === module) main();
