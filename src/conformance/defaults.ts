/** Defaults sized so that a full in-process check stays within 10 seconds. */
export const CONFORMANCE_DEFAULTS = {
  stepTimeoutMs: 10_000,
  totalTimeoutMs: 300_000,
  /** Drawn scenarios per optimizer at `runs = 1`. */
  randomScenarios: 4,
  /** Wall-clock backstop for fast-check's shrinking of one counterexample (a slow adapter). */
  shrinkTimeMs: 3_000,
  /**
   * The budget that ends shrinking first on any machine: the candidates' steps times coordinates.
   * Deterministic, so a counterexample and its replay path do not depend on the machine's load. The
   * shrinks of the planted-bug catalogue take at most 900; a failure that needs 257 steps (a
   * saturating counter) would take 64 000 and 3 s, and stops here at a longer but still failing run.
   */
  shrinkSteps: 5_000,
  /** Multiplies each law's own run count at `runs = 1` (the laws' own counts are sized for the reference in-process). */
  lawEffort: 0.5,
} as const;
