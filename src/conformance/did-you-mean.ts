/**
 * Edit distance with adjacent transpositions (optimal string alignment), so that
 * `--juint` is one edit from `--junit`.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name a mistyped one most likely meant, for "did you mean" hints on
 * flags, subjects and convention ids: a case-insensitive match first (`Adam`),
 * then the qualified name it abbreviates (`step` for `schedule:step`),
 * else the nearest name (longer than three characters) within a third of its length in edits (at least one),
 * else a known name that starts with the input (`--acc`). Undefined when nothing is close.
 */
function didYouMean(input: string, known: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const qualified = known.find((k) => k.toLowerCase().endsWith(`:${lower}`));
  if (qualified !== undefined) return qualified;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  // Two-letter names (`-h`) get no edit-distance guess: every other short flag would be "one edit" away.
  if (best !== undefined && best.length > 3 && bestDistance <= Math.max(1, Math.floor(best.length / 3))) return best;
  const stripped = lower.replace(/^-+/, '');
  return stripped.length >= 2 ? known.find((k) => k.toLowerCase().replace(/^-+/, '').startsWith(stripped)) : undefined;
}

/** ` (did you mean "x"?)`, or nothing: appended to an "unknown name" message. */
export function didYouMeanSuffix(input: string, known: readonly string[]): string {
  const guess = didYouMean(input, known);
  return guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`;
}
