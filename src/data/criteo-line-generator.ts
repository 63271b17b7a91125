/**
 * Synthetic, Criteo-shaped samples in PaddleRec's slot format, for benchmarks at any size.
 *
 * Contract:
 * - Deterministic: the same seed gives the same lines, byte for byte, in the same order.
 * - Sparse slot k (C_k) draws a popularity rank from a bounded Zipf-like (power-law) law whose
 *   support and exponent follow the real field (a few values for C9/C20, up to a million for
 *   C3/C12/C16/C21), then maps the rank through a per-field seeded bijection onto ids
 *   [1, 1,000,000], so popular ids are scattered, not 1, 2, 3. A missing value (as frequent as
 *   in the real field) becomes PaddleRec's id for an empty value, `criteoCategoricalId(c, '')`.
 *   Every id lies in [0, 1,000,000].
 * - Dense I_i draws a heavy-tailed non-negative count (Lomax law, median near the real
 *   column's), normalised with PaddleRec's cont_min/cont_diff and written as Python 2 writes a
 *   float. Missing values (as frequent as in the real column) are written as 0.0, which is what
 *   PaddleRec's converter made of them. Raw counts are capped at 100 × cont_diff.
 * - `click` is 1 for about 25% of lines, drawn from a logistic model of the sparse ranks, so the
 *   label is learnable (not independent noise).
 */
import { criteoCategoricalId } from './criteo-hash';
import { formatPython2Float } from './float-format';
import { CRITEO_CONT_DIFF, CRITEO_CONT_MIN, FIRST_CATEGORICAL_COLUMN } from './raw-format';
import { createFlooredSampler, createPermutation, mix32, SeededRandom } from './seeded-random';

/** Ids are drawn in [1, MAX_GENERATED_ID]. */
const MAX_GENERATED_ID = 1_000_000;

interface SparseField {
  /** Distinct values (ranks) the field can take. */
  cardinality: number;
  /** Power-law exponent of rank frequency (> 1: heavier head). */
  exponent: number;
  /** Probability the value is missing. */
  missingRate: number;
}

// Cardinalities from the Kaggle Criteo train set (capped at the id space), missing rates rounded.
const SPARSE_FIELDS: readonly SparseField[] = [
  [1460, 1.3, 0], [583, 1.3, 0], [1e6, 1.05, 0.034], [1e6, 1.05, 0.034], [305, 1.4, 0],
  [24, 1.6, 0.12], [12517, 1.2, 0], [633, 1.3, 0], [3, 2.5, 0], [93145, 1.1, 0],
  [5683, 1.2, 0], [1e6, 1.05, 0.034], [3194, 1.2, 0], [27, 1.6, 0], [14992, 1.2, 0],
  [1e6, 1.05, 0.034], [10, 1.8, 0], [5652, 1.2, 0], [2173, 1.3, 0.44], [4, 2.2, 0.44],
  [1e6, 1.05, 0.034], [18, 1.7, 0.76], [15, 1.7, 0], [286181, 1.1, 0.034], [105, 1.4, 0.44],
  [142572, 1.1, 0.44],
].map(([cardinality, exponent, missingRate]) => ({ cardinality, exponent, missingRate }));

// Per dense column: median of the raw count and missing rate (close to the real columns).
const DENSE_MEDIANS = [1, 3, 6, 6, 2900, 30, 3, 8, 40, 0.5, 1, 0.3, 5];
const DENSE_MISSING = [0.45, 0, 0.21, 0.22, 0.026, 0.22, 0.04, 0.0005, 0.04, 0.45, 0.04, 0.77, 0.22];
const LOMAX_SHAPE = 1.5;
const LOMAX_MEDIAN_FACTOR = 2 ** (1 / LOMAX_SHAPE) - 1;
/** Sparse ranks below this have their text cached (most draws: the head is heavy). */
const CACHED_RANKS = 4096;
/** Raw dense values below this have their text cached (formatting a float is slow). */
const CACHED_RAW_VALUES = 1 << 16;

/**
 * Strength of each field's rank effect and the bias that puts the click rate near 25%. The
 * effects do not depend on the seed, so neither does the click rate.
 */
const EFFECT_SCALE = 0.5;
const LOGIT_BIAS = -1.25;

export interface CriteoLineGenerator {
  /** The next sample as one slot-format line, without a newline. */
  nextLine(): string;
}

/** A deterministic generator of Criteo-shaped slot lines; see the header. `seed` is a uint32. */
export function createCriteoLineGenerator(seed: number): CriteoLineGenerator {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new RangeError(`seed must be an integer in [0, 2^32); got ${seed}`);
  }
  const random = SeededRandom.create(seed, 'criteo-lines');
  const sparse = SPARSE_FIELDS.map((field, k) => {
    const { cardinality, exponent } = field;
    // Inverse CDF of a power law on [1, cardinality + 1); its floor minus 1 is a 0-based rank.
    const spanPow = (cardinality + 1) ** (1 - exponent) - 1;
    const inverseExponent = 1 / (1 - exponent);
    const sampleRank = createFlooredSampler((u) => Math.min((1 + u * spanPow) ** inverseExponent, cardinality));
    return {
      missingRate: field.missingRate,
      prefix: ` ${k + 1}:`,
      sampleRank,
      permute: createPermutation(MAX_GENERATED_ID, mix32(seed + Math.imul(k + 1, 0x9e3779b1))),
      missingText: ` ${k + 1}:${criteoCategoricalId(FIRST_CATEGORICAL_COLUMN + k, '')}`,
      effectSalt: mix32(Math.imul(k + 101, 0x85ebca6b)),
      textCache: new Array<string | undefined>(Math.min(cardinality, CACHED_RANKS)),
    };
  });
  const dense = DENSE_MEDIANS.map((median, i) => {
    const scale = median / LOMAX_MEDIAN_FACTOR;
    const maxRaw = 100 * CRITEO_CONT_DIFF[i];
    return {
      missingRate: DENSE_MISSING[i],
      // Lomax: scale * (u ** (-1 / shape) - 1) with u in (0, 1], written for v = 1 - u in [0, 1).
      sampleRaw: createFlooredSampler((v) => Math.min(scale * ((1 - v) ** (-1 / LOMAX_SHAPE) - 1), maxRaw)),
      textCache: new Array<string | undefined>(Math.min(maxRaw + 1, CACHED_RAW_VALUES)),
      text: (raw: number) => ` dense_feature:${formatPython2Float((raw - CRITEO_CONT_MIN[i]) / CRITEO_CONT_DIFF[i])}`,
    };
  });
  const missingDense = ' dense_feature:0.0';

  function nextLine(): string {
    let denseText = '';
    for (const column of dense) {
      if (random.nextFloat() < column.missingRate) {
        denseText += missingDense;
        continue;
      }
      const raw = column.sampleRaw(random.nextFloat());
      if (raw >= CACHED_RAW_VALUES) denseText += column.text(raw);
      else denseText += column.textCache[raw] ??= column.text(raw);
    }
    let ids = '';
    let logit = LOGIT_BIAS;
    for (const field of sparse) {
      if (random.nextFloat() < field.missingRate) {
        ids += field.missingText;
        continue;
      }
      const rank = field.sampleRank(random.nextFloat()) - 1;
      const idText = (r: number): string => field.prefix + (field.permute(r) + 1);
      ids += rank >= CACHED_RANKS ? idText(rank) : (field.textCache[rank] ??= idText(rank));
      logit += EFFECT_SCALE * (mix32(rank ^ field.effectSalt) / 4_294_967_296 - 0.5);
    }
    const click = random.nextFloat() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    return `click:${click}${denseText}${ids}`;
  }

  return { nextLine };
}
