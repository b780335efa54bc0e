import fc from 'fast-check';
import { AdapterError } from '../conformance/adapter-error.js';
import type { Adapter } from '../conformance/adapter.js';
import type { Dtype, OptimizerName, ScheduleName } from '../reference/types.js';
import { UnsupportedValue } from '../conformance/unsupported.js';

/** What a law or check is about: an optimizer, or a schedule as `schedule:<name>`. */
export type Subject = OptimizerName | `schedule:${ScheduleName}`;

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
  if (typeof input === 'number') return (Number.isNaN(input) ? 0 : Number.isFinite(input) ? input : Math.sign(input)) as T;
  if (Array.isArray(input)) return input.map(finiteOnly) as T;
  if (typeof input === 'object' && input !== null) return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, finiteOnly(v)])) as T;
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

/** Runs a law against an adapter with fast-check and returns its outcome; never throws for a failing law. */
export async function checkLaw<T>(law: Law<T>, adapter: Adapter, options: LawRunOptions = {}): Promise<LawResult> {
  const numRuns = options.numRuns ?? Math.max(1, Math.round(law.runs * (options.effort ?? 1)));
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const drawn = law.arbitrary(adapter.dtype);
  let refused = 0;
  let reason = '';
  const property = fc.asyncProperty(options.finite === true ? drawn.map(finiteOnly) : drawn, async (input) => {
    try {
      await law.check(adapter, input);
    } catch (error) {
      if (!(error instanceof UnsupportedValue)) throw error;
      // A configuration the implementation refuses says nothing about the rule: set the input aside.
      refused++;
      reason = error.message;
      fc.pre(false);
    }
  });
  // Few skips per run: a law whose every draw is refused (rho = 0 where rho > 0 is required) ends quickly as skipped.
  const details = await fc.check(property, { numRuns, seed, maxSkipsPerRun: 2, ...(options.path === undefined ? {} : { path: options.path }) });
  const base = { id: law.id, subject: law.subject, title: law.title, numRuns, seed, ...(refused > 0 ? { refused } : {}) };
  if (!details.failed) return { ...base, status: 'pass', ...(refused > 0 ? { message: `${refused} drawn input(s) refused, e.g. ${reason}` } : {}) };
  if (details.counterexample === null && refused > 0) return { ...base, status: 'skipped', message: reason };
  const error = details.errorInstance;
  const status = error instanceof AdapterError ? 'error' : 'fail';
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...base,
    status,
    ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
    ...(details.counterexample === null ? {} : { counterexample: details.counterexample[0] }),
    ...(error instanceof LawViolation ? { violation: error.detail } : {}),
    message,
  };
}
