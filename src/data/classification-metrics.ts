/**
 * Offline quality metrics for click predictions, to check a served model against labels.
 *
 * Contract:
 * - `auc(labels, scores)` is the ROC AUC by ranks (Mann-Whitney U): tied scores share their
 *   average rank, so a tie between a positive and a negative counts 1/2. Labels are 0/1 (any
 *   label > 0.5 counts as positive). It is NaN when there are no positives or no negatives.
 * - `logLoss(labels, scores, epsilon = 1e-7)` is the mean of
 *   `-(y·ln p + (1-y)·ln(1-p))` with p clipped to `[epsilon, 1 - epsilon]`.
 * - Both throw when the lengths differ or are 0, or when a label or score is not finite.
 */

type Numbers = ArrayLike<number>;

function check(labels: Numbers, scores: Numbers): void {
  if (labels.length !== scores.length) {
    throw new Error(`labels and scores must have the same length; got ${labels.length} and ${scores.length}`);
  }
  if (labels.length === 0) throw new Error('need at least 1 label; got 0');
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(labels[i]) || !Number.isFinite(scores[i])) {
      throw new Error(`row ${i}: label and score must be finite; got ${labels[i]} and ${scores[i]}`);
    }
  }
}

/** Rank-based ROC AUC; see the header. */
export function auc(labels: Numbers, scores: Numbers): number {
  check(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start+1..end, 1-based
    for (let j = start; j < end; j++) {
      if (labels[order[j]] > 0.5) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy with clipped probabilities; see the header. */
export function logLoss(labels: Numbers, scores: Numbers, epsilon = 1e-7): number {
  check(labels, scores);
  if (!(epsilon > 0 && epsilon < 0.5)) throw new RangeError(`epsilon must be in (0, 0.5); got ${epsilon}`);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(scores[i], epsilon), 1 - epsilon);
    const y = labels[i];
    total -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return total / labels.length;
}
