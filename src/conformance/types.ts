import type { Subject, ViolationDetail } from '../laws/index.js';
import type { ConventionId, Dtype, KnownBugId, OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import type { TensorRun } from './tensor-runs.js';
import type { Arithmetic, Precision } from '../numerics/index.js';

/** What a conformance result is about: an optimizer, or a schedule as `schedule:<name>`. */
export type { Subject } from '../laws/index.js';

/**
 * - `conforms`: every check passed within the dtype's derived tolerance;
 * - `deviates`: the behaviour matches named conventions (docs/conventions.md) and nothing else is wrong;
 * - `fails`: a check failed and no known convention explains it (a counterexample is attached);
 * - `unsupported`: the adapter does not implement it;
 * - `error`: the adapter threw, rejected, timed out or returned garbage;
 * - `interrupted`: the run was stopped (SIGINT, SIGTERM, `options.signal`) while this subject was checked: its
 *   findings so far are kept, and nothing is said about the implementation.
 */
export type Verdict = 'conforms' | 'deviates' | 'fails' | 'unsupported' | 'error' | 'interrupted';

/**
 * Per step and coordinate (`[step][coordinate]`, step 1 first) what the
 * implementation returned, what the reference expects, the derived bound, and,
 * for a named deviation, what the reference built with the convention returns:
 * the data behind the report's plots.
 */
export interface Trace {
  actual: number[][];
  expected: number[][];
  bound: number[][];
  /** The reference built with the diagnosed conventions, where a convention explains the run. */
  convention?: number[][];
  /** The learning rate in force at each step. */
  learningRates?: number[];
  /** The step of the first row (1 when absent): long runs are cut to the steps around the first difference. */
  firstStep?: number;
}

/** A minimal, replayable input on which the implementation parts from the spec. */
export interface Counterexample extends ViolationDetail {
  config?: OptimizerConfig | ScheduleConfig;
  x0?: number[];
  /** The shortest gradient sequence that shows it (shrunk by fast-check where a law found it). */
  gradients?: number[][];
  learningRates?: (number | null)[];
  /**
   * The implementation's x at `coordinate` after each step, where `actual` is a quantity a law derives from them
   * (a step's size) rather than the x after `step` itself.
   */
  parameters?: number[];
  seed?: number;
  /** fast-check path: replay with `--seed <seed>` and this path. */
  path?: string;
  /**
   * For a failure no known bug explains: the reference's values in the step that parts, at its coordinate, named
   * as the lecture's code names them (`x` before the step, `dx`, `learning_rate`, `old_v`, `v`, `grad_squared`,
   * `first_moment`, `1 - beta1 ** t`, `first_unbias`, ...); `expected` is the reference's x after it, `actual` the
   * implementation's.
   */
  referenceState?: Record<string, number>;
  /** The run step by step, for plots (absent for laws and schedules). */
  trace?: Trace;
  /** A check over several tensors (docs/spec.md section 9): the tensor that parts, numbered across its groups. */
  tensor?: number;
  /** A check over several tensors: the whole shrunk run (groups, each tensor's x0, per step its gradients, `null` for none). */
  run?: TensorRun;
}

/** One check within a subject: a fixture case, a law, a probe. */
export interface Finding {
  /** Stable id, e.g. `fixture:adam/float32/open/tiny-0`, `law:adam/first-step`, `probe:tiny-gradients`. */
  check: string;
  /** `skipped`: the adapter refused a configuration this check needs, or a check it depends on did not conform; the message says which. */
  status: 'pass' | 'fail' | 'error' | 'explained' | 'skipped';
  message: string;
  /** For `explained`: the conventions that explain the difference. */
  conventions?: ConventionId[];
  /** For `fail`: the known bug (docs/conventions.md) that explains it. */
  bug?: KnownBugId;
  /** For `fail` and `explained`: the token that re-runs exactly this check (`--replay`, `options.replay`). */
  replay?: string;
  counterexample?: Counterexample;
}

/** The verdict on one optimizer or schedule. */
export interface SubjectResult {
  subject: Subject;
  verdict: Verdict;
  /**
   * The conventions the implementation follows, sorted: for `deviates` all that
   * explain it; for `fails` those that explain everything else ("fails; otherwise follows ...").
   */
  conventions: ConventionId[];
  /** For `fails`: the known bug that explains every failing check, when one does. */
  bug?: KnownBugId;
  findings: Finding[];
  /** For `interrupted`: what stopped the check, the signal's name (`SIGINT`, `SIGTERM`) or the abort's reason. */
  interrupted?: string;
  /** Wall time of this subject's checks in milliseconds. */
  durationMs?: number;
}

/** The whole report; its JSON form is documented by `docs/report.schema.json`. */
export interface ConformanceReport {
  optimspec: { version: string };
  /**
   * The adapter as judged: `precision` where it declares a mixed one (docs/spec.md, "Mixed precision"),
   * `arithmetic` only where it declared one other than IEEE-754 (src/numerics/arithmetic.ts).
   */
  adapter: { name: string; dtype: Dtype; precision?: Precision; arithmetic?: Arithmetic };
  fixtures: { provenance: Record<string, unknown> };
  options: { runs: number; seed: number; accepted: ConventionId[]; only?: string[] };
  results: SubjectResult[];
  /** True iff at least one subject was checked and every supported subject conforms or deviates only by accepted conventions. */
  passed: boolean;
  /** Why the run failed as a whole, beyond its subjects' verdicts: nothing was checked, or it was interrupted. */
  reason?: string;
  /** What stopped the run: the signal (`SIGINT`, `SIGTERM`), or the reason `options.signal` aborted with; the results are partial. */
  interrupted?: string;
  durationMs: number;
}

/** Options of `checkConformance`. */
export interface ConformanceOptions {
  /** Subjects to check (`adam`, `schedule:step`, ...); all supported ones by default. */
  only?: readonly string[];
  /** Conventions whose deviations count as passing. */
  accept?: readonly ConventionId[];
  /** Multiplies each law's run count (default 1). */
  runs?: number;
  seed?: number;
  /**
   * Per adapter call, in milliseconds. An adapter that times its own calls (`isolateAdapter`, `spawnAdapter`)
   * gets no second timer: their own `timeoutMs` applies.
   */
  stepTimeoutMs?: number;
  /** For the whole run, in milliseconds. */
  totalTimeoutMs?: number;
  /**
   * Awaited before each subject: the CLI starts a fresh worker there when the
   * isolated adapter's last one ended (a crash, a hang).
   */
  beforeSubject?: (subject: string) => void | Promise<void>;
  /**
   * Stops the check: the subject being checked when it aborts is `interrupted` (an error its adapter meets from
   * then on is the interruption's, not the adapter's), and no later subject starts. Its `reason` names the
   * interruption: the CLI aborts with the signal's name (`SIGINT`, `SIGTERM`).
   */
  signal?: AbortSignal;
  /** Called as checks finish, for progress output. */
  onProgress?: (event: { subject: string; check: string; status: Finding['status'] }) => void;
  /**
   * A finding's `replay` token: re-run exactly that check, with the seed, run count,
   * counterexample path and explaining conventions it carries (`only`, `seed` and
   * `runs` are taken from the token).
   */
  replay?: string;
  /**
   * Also run each optimizer on a vector of this many coordinates (the large-vector
   * probe, e.g. 1000003): libraries switch kernels by size. Off by default: over the
   * stdio protocol each step carries this many numbers both ways.
   */
  largeVector?: number;
}
