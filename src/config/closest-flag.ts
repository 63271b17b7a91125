/**
 * "Did you mean" for command lines: the declared flag closest to a mistyped one.
 *
 * Contract: `closestFlag(name, known)` returns the known flag with the smallest edit distance
 * (insert, delete, substitute, swap of neighbours; `-` and `_` count as the same) when that
 * distance is small for the name's length (at most 1 for names up to 4 characters, 2 up to 8,
 * 3 beyond), or the one known flag that contains the name or is contained in it; else undefined.
 */
export function closestFlag(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase().replace(/-/g, '_');
  const limit = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase().replace(/-/g, '_'));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  if (wanted.length < 3) return undefined;
  const containing = known.filter((candidate) => candidate.includes(wanted) || (candidate.length >= 3 && wanted.includes(candidate)));
  return containing.length === 1 ? containing[0] : undefined;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1];
}
