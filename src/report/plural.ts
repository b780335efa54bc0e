/** `1 check`, `2 checks`, `0 errors`: a count and its noun, the noun in the plural unless the count is exactly one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
