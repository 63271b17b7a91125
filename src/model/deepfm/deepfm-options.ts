/**
 * Shape and seed of a DeepFM model (PaddleRec's Criteo DeepFM, config_bigdata.yaml), with
 * defaults and validation.
 *
 * Contract: `resolveDeepFmOptions()` fills defaults, checks every option, throws once listing
 * every problem, and returns a frozen object. The defaults are the model our users deploy.
 */

export interface DeepFmOptions {
  /** Rows of each sparse table (hashed ids 0..vocabularySize-1; row 0 is padding). Default 1000001. */
  readonly vocabularySize?: number;
  /** k, the embedding width. Default 9. */
  readonly embeddingSize?: number;
  /** Number of sparse inputs C1..Cn. Default 26. */
  readonly sparseFields?: number;
  /** Width of `dense_input`. Default 13. */
  readonly denseFeatures?: number;
  /** DNN hidden layer widths (ReLU after each). Default [400, 400, 400]; [] means no hidden layer. */
  readonly hiddenUnits?: readonly number[];
  /** PRNG seed (integer; low 32 bits used). Default DEFAULT_DEEPFM_SEED. */
  readonly seed?: number;
}

export type ResolvedDeepFmOptions = Readonly<Required<DeepFmOptions>>;

/** The seed of the default model shipped as serving_server/model.onnx. */
const DEFAULT_DEEPFM_SEED = 20210901;

export const DEEPFM_DEFAULTS: ResolvedDeepFmOptions = Object.freeze({
  vocabularySize: 1000001,
  embeddingSize: 9,
  sparseFields: 26,
  denseFeatures: 13,
  hiddenUnits: Object.freeze([400, 400, 400]),
  seed: DEFAULT_DEEPFM_SEED,
});

export function resolveDeepFmOptions(options: DeepFmOptions = {}): ResolvedDeepFmOptions {
  const r = { ...DEEPFM_DEFAULTS, ...stripUndefined(options) };
  const problems: string[] = [];
  const positive = (name: keyof DeepFmOptions, value: number): void => {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive integer; got ${value}`);
  };
  positive('vocabularySize', r.vocabularySize);
  positive('embeddingSize', r.embeddingSize);
  positive('sparseFields', r.sparseFields);
  if (!Number.isSafeInteger(r.denseFeatures) || r.denseFeatures < 0) {
    problems.push(`denseFeatures must be a non-negative integer; got ${r.denseFeatures}`);
  }
  if (!Array.isArray(r.hiddenUnits) || r.hiddenUnits.some((u) => !Number.isSafeInteger(u) || u <= 0)) {
    problems.push(`hiddenUnits must be positive integers; got [${String(r.hiddenUnits)}]`);
  }
  if (!Number.isSafeInteger(r.seed)) problems.push(`seed must be an integer; got ${r.seed}`);
  if (problems.length > 0) throw new RangeError(`invalid DeepFM options: ${problems.join('; ')}`);
  return Object.freeze({ ...r, hiddenUnits: Object.freeze([...r.hiddenUnits]) });
}

function stripUndefined(options: DeepFmOptions): DeepFmOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as DeepFmOptions;
}
