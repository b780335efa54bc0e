/** Defaults sized so that a full in-process check stays within 10 seconds. */
export const CONFORMANCE_DEFAULTS = {
  stepTimeoutMs: 10_000,
  totalTimeoutMs: 300_000,
  /** Drawn scenarios per optimizer at `runs = 1`. */
  randomScenarios: 4,
  /** Budget for fast-check's shrinking of one counterexample. */
  shrinkTimeMs: 3_000,
  /** Multiplies each law's own run count at `runs = 1` (the laws' own counts are sized for the reference in-process). */
  lawEffort: 0.5,
} as const;
