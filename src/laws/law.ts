import fc from 'fast-check';
import { type Adapter, AdapterError, type TensorSubject, UnsupportedValue } from '../adapter/index.js';
import type { Dtype, OptimizerName, ScheduleName } from '../reference/index.js';
import { type Answered, BATCHED_RUNS, type FirstPass, firstPass, Replayed } from './first-pass.js';

/** What a law or check is about: an optimizer, a schedule as `schedule:<name>`, or a use of docs/spec.md section 9 as `tensors:<name>`. */
export type Subject = OptimizerName | `schedule:${ScheduleName}` | TensorSubject;

/** Where and how an implementation parted from what a law states. */
export interface ViolationDetail {
  step?: number;
  coordinate?: number;
  expected?: number;
  actual?: number;
  relativeError?: number;
  ulp?: number;
  /** The tolerance that was exceeded, with its derivation. */
  tolerance?: string;
}

/** Thrown by a law's check when the implementation breaks the law. */
export class LawViolation extends Error {
  override readonly name = 'LawViolation';
  constructor(
    message: string,
    readonly detail: ViolationDetail = {},
  ) {
    super(message);
  }
}

/**
 * A claim of the lecture, written once against any implementation under test
 * (the reference or a user's adapter). `arbitrary` draws the inputs; `check`
 * runs them through the adapter and throws a {@link LawViolation} when the law
 * does not hold.
 */
export interface Law<T = unknown> {
  /** Stable id, `<subject>/<name>`, e.g. `momentum/rho-zero-is-sgd`. */
  readonly id: string;
  readonly subject: Subject;
  /** One sentence: what the lecture claims. */
  readonly title: string;
  /** The inputs, for the adapter's dtype. */
  arbitrary(dtype: Dtype): fc.Arbitrary<T>;
  check(adapter: Adapter, input: T): Promise<void>;
  /** Runs per check at the default effort (fast-check's default is 100). */
  readonly runs: number;
  /**
   * The law compares the implementation only with itself on identical inputs
   * (determinism): every convention, `non-finite` included, is deterministic, so none
   * can explain a failure, whatever values it needs.
   */
  readonly selfComparison?: true;
}

/** How hard and from where to run a law; `seed` and `path` replay a failure. */
export interface LawRunOptions {
  /** Multiplies each law's own run count (default 1). */
  effort?: number;
  /** Overrides the run count. */
  numRuns?: number;
  seed?: number;
  path?: string;
  /** Draw only finite numbers: every NaN or infinity of the law's input replaced by {@link finiteOnly}. */
  finite?: boolean;
}

/** Whether a law input (any nesting of arrays and plain objects) holds an infinity or NaN. */
export function hasNonFinite(input: unknown): boolean {
  if (typeof input === 'number') return !Number.isFinite(input);
  if (Array.isArray(input)) return input.some(hasNonFinite);
  if (typeof input === 'object' && input !== null) return Object.values(input).some(hasNonFinite);
  return false;
}

/**
 * The same input with NaN replaced by 0 and the infinities by +-1: what a law's
 * arbitrary draws once non-finite values are set aside (docs/conventions.md's `non-finite`:
 * a difference that needs them is that convention's, not a failure).
 */
export function finiteOnly<T>(input: T): T {
  if (typeof input === 'number')
    return (Number.isNaN(input) ? 0 : Number.isFinite(input) ? input : Math.sign(input)) as T;
  if (Array.isArray(input)) return input.map(finiteOnly) as T;
  if (typeof input === 'object' && input !== null)
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, finiteOnly(v)])) as T;
  return input;
}

/** The outcome of one law against one implementation. */
export interface LawResult {
  id: string;
  subject: Subject;
  title: string;
  /** `skipped`: the implementation refused every configuration the law drew (the message says why). */
  status: 'pass' | 'fail' | 'error' | 'skipped';
  numRuns: number;
  /** How many drawn inputs the implementation refused as unsupported (they are set aside like unmet preconditions). */
  refused?: number;
  seed: number;
  /** fast-check's path of the shrunk counterexample: replay with `seed` and `path`. */
  path?: string;
  /** The shrunk input that breaks the law. */
  counterexample?: unknown;
  violation?: ViolationDetail;
  message?: string;
}

/**
 * The key under which an adapter layer (a law's view of the implementation) is told
 * each error a law's run threw: a companion's error counts as the companion's
 * failure only when it reached the law (src/conformance/laws.ts), not when it was
 * merely answered in a batch whose runs stopped before it.
 */
export const thrownKey: unique symbol = Symbol('optimspec.thrown');

/**
 * Runs a law against an adapter with fast-check and returns its outcome; never throws
 * for a failing law. Up to {@link BATCHED_RUNS} runs go first as a first pass in two
 * batches (src/laws/first-pass.ts), fast-check then shrinking from the failing run.
 */
export async function checkLaw<T>(law: Law<T>, adapter: Adapter, options: LawRunOptions = {}): Promise<LawResult> {
  const numRuns = options.numRuns ?? Math.max(1, Math.round(law.runs * (options.effort ?? 1)));
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const drawn = law.arbitrary(adapter.dtype);
  const arbitrary = options.finite === true ? drawn.map(finiteOnly) : drawn;
  const base = { id: law.id, subject: law.subject, title: law.title, numRuns, seed };
  let path = options.path;
  let replayed: Replayed | undefined;
  let first: Extract<FirstPass<T>, { status: 'fail' }> | undefined;
  if (path === undefined && numRuns <= BATCHED_RUNS) {
    // The runs fast-check would make, from the same draws (fc.sample: same arbitrary, same seed): a pass is final; a
    // failure at run k is shrunk by fast-check from run k (path "k"), as its own pass would; a refused input hands the
    // check to fast-check, the first pass's answers replayed.
    const answered: Answered[] = [];
    const pass = await firstPass(
      (view, input) => law.check(view, input),
      adapter,
      fc.sample(arbitrary, { seed, numRuns }),
      answered,
    );
    if (pass.status === 'pass') return { ...base, status: 'pass' };
    tellThrown(adapter, pass.error);
    // The implementation's own error (a throw, a hang that ended its worker) is reported as it came: an `error`
    // finding carries no counterexample to shrink, and a worker that ended would only answer "not sent" again.
    if (pass.status === 'fail' && pass.error instanceof AdapterError)
      return failure(base, pass.error, String(pass.at), pass.input);
    if (pass.status === 'fail') {
      first = pass;
      path = String(pass.at);
    } else replayed = new Replayed(adapter, answered);
  }
  const target = replayed?.view ?? adapter;
  let refused = 0;
  let reason = '';
  const property = fc.asyncProperty(arbitrary, async (input) => {
    try {
      await law.check(target, input);
    } catch (error) {
      tellThrown(adapter, error);
      if (!(error instanceof UnsupportedValue)) {
        // Shrinking runs inputs one at a time, in the implementation's state after the failure: nothing replayed.
        replayed?.stop();
        throw error;
      }
      // A configuration the implementation refuses says nothing about the rule: set the input aside.
      refused++;
      reason = error.message;
      fc.pre(false);
    }
  });
  // Few skips per run: a law whose every draw is refused (rho = 0 where rho > 0 is required) ends quickly as skipped.
  const details = await fc.check(property, {
    numRuns,
    seed,
    maxSkipsPerRun: 2,
    ...(path === undefined ? {} : { path }),
  });
  const counted = { ...base, ...(refused > 0 ? { refused } : {}) };
  if (!details.failed && first !== undefined) {
    // The failing run passed when made again (answers that depend on what the implementation did before): its first answer stands, unshrunk.
    return failure(counted, first.error, String(first.at), first.input);
  }
  if (!details.failed)
    return {
      ...counted,
      status: 'pass',
      ...(refused > 0 ? { message: `${refused} drawn input(s) refused, e.g. ${reason}` } : {}),
    };
  if (details.counterexample === null && refused > 0) return { ...counted, status: 'skipped', message: reason };
  return failure(
    counted,
    details.errorInstance,
    details.counterexamplePath ?? undefined,
    details.counterexample === null ? undefined : details.counterexample[0],
  );
}

/** The result of a law broken by `error` (an AdapterError is the implementation's `error`, anything else a failure). */
function failure(
  base: Omit<LawResult, 'status'>,
  error: unknown,
  path: string | undefined,
  counterexample: unknown,
): LawResult {
  return {
    ...base,
    status: error instanceof AdapterError ? 'error' : 'fail',
    ...(path === undefined ? {} : { path }),
    ...(counterexample === undefined ? {} : { counterexample }),
    ...(error instanceof LawViolation ? { violation: error.detail } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Tells the adapter layer (a law's view) an error a run threw; see {@link thrownKey}. */
function tellThrown(adapter: Adapter, error: unknown): void {
  try {
    const hook = (adapter as { [thrownKey]?: unknown })[thrownKey];
    if (typeof hook === 'function') hook.call(adapter, error);
  } catch {
    // A user's adapter whose getters throw: it has no such hook.
  }
}
