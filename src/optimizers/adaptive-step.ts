/**
 * The shared tail of AdaGrad, RMSProp and Adam: `numerator / (np.sqrt(acc) + eps)`,
 * or with `epsilon-inside-sqrt`, `numerator / np.sqrt(acc + eps)`. Every
 * intermediate is rounded with `r`, in NumPy's order of evaluation.
 */
export function adaptiveStep(
  r: (v: number) => number,
  numerator: number,
  acc: number,
  eps: number,
  inside: boolean,
): number {
  return inside ? r(numerator / r(Math.sqrt(r(acc + eps)))) : r(numerator / r(r(Math.sqrt(acc)) + eps));
}
