import fc from 'fast-check';
import { AdapterError } from '../conformance/adapter-error.js';
import type { Adapter } from '../conformance/adapter.js';
import type { Dtype, OptimizerName, ScheduleName } from '../reference/types.js';
import { UnsupportedValue } from '../conformance/unsupported.js';
import { runScripts, runScriptsKey, type Script, type ScriptOutcome, type ScriptRunner } from './script.js';

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

/**
 * At most this many of a law's runs are sent ahead in one batch (see {@link checkLaw});
 * the rest, if `numRuns` is larger, run one at a time. Bounds the batch's memory.
 */
export const PREFETCH_RUNS = 512;

/**
 * The key under which an adapter layer (a law's view of the implementation) is told
 * each error a law's run threw: a companion's error counts as the companion's
 * failure only when it reached the law (src/conformance/laws.ts), not when it was
 * merely fetched ahead.
 */
export const thrownKey: unique symbol = Symbol('optimspec.thrown');

/** A run's first request as fetched ahead: how its scripts ended, or what the whole batch threw. */
type Answer = { outcomes: ScriptOutcome[] } | { thrown: unknown };

/** The planning pass's signal: the scripts of a run's first request, or none. Not an Error: no stack to capture, thousands per check. */
class Planned {
  constructor(readonly scripts: readonly Script[] | undefined) {}
}

function sameConfig(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Deep equality of plain data (arrays, plain objects, numbers by Object.is). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether two batches make the same calls with the same bits (-0 and NaN included). */
function sameBatch(a: readonly Script[], b: readonly Script[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((script, k) => {
    const other = b[k]!;
    if (script.watch !== other.watch || script.calls.length !== other.calls.length) return false;
    return script.calls.every((call, j) => {
      const c = other.calls[j]!;
      if (call.op === 'create') return c.op === 'create' && sameConfig(call.config, c.config) && sameBits(call.x0, c.x0);
      if (call.op === 'step') return c.op === 'step' && call.instance === c.instance && Object.is(call.learningRate, c.learningRate) && sameBits(call.grad, c.grad);
      if (call.op === 'closed') return c.op === 'closed' && call.instance === c.instance && sameValue(call.loop, c.loop);
      if (call.op === 'values') return c.op === 'values' && sameConfig(call.config, c.config) && call.t.length === c.t.length && call.t.every((t, i) => Object.is(t, c.t[i]));
      return c.op === 'dispose' && call.instance === c.instance;
    });
  });
}

/** The first request one run of `law` makes, found by running it against a recorder that answers nothing. */
async function planOf<T>(law: Law<T>, adapter: Adapter, input: T): Promise<readonly Script[] | undefined> {
  const recorder: Adapter & ScriptRunner = {
    name: adapter.name,
    dtype: adapter.dtype,
    optimizers: adapter.optimizers,
    create() {
      throw new Planned(undefined);
    },
    [runScriptsKey](scripts: readonly Script[]): Promise<ScriptOutcome[]> {
      throw new Planned(scripts);
    },
  };
  if (adapter.schedules !== undefined) recorder.schedules = adapter.schedules;
  try {
    await law.check(recorder, input);
  } catch (error) {
    if (error instanceof Planned) return error.scripts;
  }
  return undefined;
}

/**
 * The implementation as a law's runs see it, their first requests fetched ahead
 * in batches: the request of the run at the cursor is answered from a batch if it
 * is the planned one; anything else (another request, a mismatch, and everything
 * after it) goes to the implementation as it comes.
 *
 * The batches grow: the first run alone, then 3, 12, 48, ... runs, so that a
 * check across a slow boundary (a worker, a child) costs a few round trips per
 * law instead of one per run (issue 9), while an implementation that fails early
 * (most do, at the first run) has made no call the runs one at a time would not
 * have made before the failure, and one that fails later at most three times as
 * many: an implementation with state shared between instances is shrunk in the
 * state the failure left, not one that later runs poisoned. It runs the same way
 * in-process, so that both see the same calls in the same order.
 */
class Prefetched {
  private cursor = 0;
  private live = false;
  private readonly answers: Answer[] = [];
  /** Set once a batch stopped short (an adapter error, or the batch itself failed): nothing more is fetched. */
  private exhausted = false;
  readonly view: Adapter & ScriptRunner;

  constructor(
    private readonly adapter: Adapter,
    private readonly plans: readonly (readonly Script[])[],
  ) {
    const view: Adapter & ScriptRunner = {
      name: adapter.name,
      dtype: adapter.dtype,
      optimizers: adapter.optimizers,
      create: (config, x0) => adapter.create(config, x0),
      [runScriptsKey]: (scripts: readonly Script[]) => this.answer(scripts),
    };
    if (adapter.schedules !== undefined) view.schedules = adapter.schedules;
    if (adapter.schedule !== undefined) view.schedule = adapter.schedule.bind(adapter);
    if (adapter.scheduleValues !== undefined) view.scheduleValues = adapter.scheduleValues.bind(adapter);
    this.view = view;
  }

  /** Starts again from the first run: fast-check's own pass over the same draws, answered from what was fetched. */
  rewind(): void {
    this.cursor = 0;
    this.live = false;
  }

  /** Every later request goes to the implementation (a failure is shrunk in its state after it). */
  stop(): void {
    this.live = true;
  }

  private async answer(scripts: readonly Script[]): Promise<ScriptOutcome[]> {
    const at = this.cursor;
    if (!this.live && at < this.plans.length && sameBatch(this.plans[at]!, scripts)) {
      if (at >= this.answers.length && !this.exhausted) await this.fetch();
      const answer = this.answers[at];
      if (answer !== undefined) {
        this.cursor++;
        if ('thrown' in answer) throw answer.thrown;
        return answer.outcomes;
      }
    }
    this.live = true;
    return runScripts(this.adapter, scripts);
  }

  private async fetch(): Promise<void> {
    const from = this.answers.length;
    const batch = this.plans.slice(from, from + Math.max(1, 3 * from));
    let outcomes: ScriptOutcome[];
    try {
      outcomes = await runScripts(this.adapter, batch.flat());
    } catch (error) {
      // The batch itself failed (the worker ended, a call hung): its first run meets that error.
      this.exhausted = true;
      this.answers.push({ thrown: error });
      return;
    }
    let offset = 0;
    for (const plan of batch) {
      const answered = outcomes.slice(offset, offset + plan.length);
      offset += plan.length;
      if (answered.length < plan.length && answered.every((o) => o.ok || o.error instanceof UnsupportedValue)) break;
      this.answers.push({ outcomes: answered });
    }
    if (offset > outcomes.length) this.exhausted = true;
  }
}

/**
 * The first request of each drawn run of `law`, found by running the law against
 * a recorder ({@link planOf}); undefined unless at least two runs make one first.
 */
async function prefetch<T>(law: Law<T>, adapter: Adapter, inputs: readonly T[]): Promise<Prefetched | undefined> {
  const plans: (readonly Script[])[] = [];
  for (const input of inputs) {
    const plan = await planOf(law, adapter, input);
    if (plan === undefined) break;
    plans.push(plan);
  }
  return plans.length < 2 ? undefined : new Prefetched(adapter, plans);
}

/** Runs a law against an adapter with fast-check and returns its outcome; never throws for a failing law. */
export async function checkLaw<T>(law: Law<T>, adapter: Adapter, options: LawRunOptions = {}): Promise<LawResult> {
  const numRuns = options.numRuns ?? Math.max(1, Math.round(law.runs * (options.effort ?? 1)));
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const drawn = law.arbitrary(adapter.dtype);
  const arbitrary = options.finite === true ? drawn.map(finiteOnly) : drawn;
  const base = { id: law.id, subject: law.subject, title: law.title, numRuns, seed };
  let path = options.path;
  let prefetched: Prefetched | undefined;
  let firstFailure: { input: T; error: unknown; at: number } | undefined;
  if (path === undefined && numRuns <= PREFETCH_RUNS) {
    // The runs fast-check would make, made here from the same draws (fc.sample: same arbitrary, same seed), generated
    // once and their first requests in one batch. A pass is final; a failure at run k is shrunk by fast-check from run
    // k (path "k"), as its own pass would; a refused input (fast-check draws another in its place) hands the whole
    // check to fast-check, the batch rewound.
    const inputs = fc.sample(arbitrary, { seed, numRuns });
    prefetched = await prefetch(law, adapter, inputs);
    const target = prefetched?.view ?? adapter;
    let refusal = false;
    for (const [k, input] of inputs.entries()) {
      try {
        await law.check(target, input);
      } catch (error) {
        tellThrown(adapter, error);
        if (error instanceof UnsupportedValue) refusal = true;
        else firstFailure = { input, error, at: k };
        break;
      }
    }
    if (!refusal && firstFailure === undefined) return { ...base, status: 'pass' };
    if (firstFailure !== undefined) {
      prefetched?.stop();
      path = String(firstFailure.at);
    } else prefetched?.rewind();
  }
  const target = prefetched?.view ?? adapter;
  let refused = 0;
  let reason = '';
  const property = fc.asyncProperty(arbitrary, async (input) => {
    try {
      await law.check(target, input);
    } catch (error) {
      tellThrown(adapter, error);
      if (!(error instanceof UnsupportedValue)) {
        // Shrinking runs inputs one at a time, in the implementation's state after the failure: nothing ahead of it.
        prefetched?.stop();
        throw error;
      }
      // A configuration the implementation refuses says nothing about the rule: set the input aside.
      refused++;
      reason = error.message;
      fc.pre(false);
    }
  });
  // Few skips per run: a law whose every draw is refused (rho = 0 where rho > 0 is required) ends quickly as skipped.
  const details = await fc.check(property, { numRuns, seed, maxSkipsPerRun: 2, ...(path === undefined ? {} : { path }) });
  const counted = { ...base, ...(refused > 0 ? { refused } : {}) };
  if (!details.failed && firstFailure !== undefined) {
    // The failing run passed when made again (answers that depend on what the implementation did before): its first answer stands, unshrunk.
    return failure(counted, firstFailure.error, String(firstFailure.at), firstFailure.input);
  }
  if (!details.failed) return { ...counted, status: 'pass', ...(refused > 0 ? { message: `${refused} drawn input(s) refused, e.g. ${reason}` } : {}) };
  if (details.counterexample === null && refused > 0) return { ...counted, status: 'skipped', message: reason };
  return failure(counted, details.errorInstance, details.counterexamplePath ?? undefined, details.counterexample === null ? undefined : details.counterexample[0]);
}

/** The result of a law broken by `error` (an AdapterError is the implementation's `error`, anything else a failure). */
function failure(base: Omit<LawResult, 'status'>, error: unknown, path: string | undefined, counterexample: unknown): LawResult {
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
