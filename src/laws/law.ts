import fc from 'fast-check';
import { AdapterError } from '../conformance/adapter-error.js';
import type { Adapter } from '../conformance/adapter.js';
import type { Dtype, OptimizerName, ScheduleName } from '../reference/types.js';
import { UnsupportedValue } from '../conformance/unsupported.js';
import { firstDifferentBits } from '../numerics/ulp.js';
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
 * A law with at most this many runs makes them in two batches (see {@link checkLaw});
 * one with more (a large `--runs`) runs them one at a time through fast-check, which
 * bounds a batch's memory.
 */
export const BATCHED_RUNS = 512;

/**
 * The key under which an adapter layer (a law's view of the implementation) is told
 * each error a law's run threw: a companion's error counts as the companion's
 * failure only when it reached the law (src/conformance/laws.ts), not when it was
 * merely answered in a batch whose runs stopped before it.
 */
export const thrownKey: unique symbol = Symbol('optimspec.thrown');

/** A run's first request as the first pass made it, and how it ended (or what its whole batch threw). */
interface Answered {
  scripts: readonly Script[];
  answer: { outcomes: ScriptOutcome[] } | { thrown: unknown };
}

function sameConfig(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && firstDifferentBits(a, b) < 0;
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
      if (call.op === 'create')
        return c.op === 'create' && sameConfig(call.config, c.config) && sameArray(call.x0, c.x0);
      if (call.op === 'step')
        return (
          c.op === 'step' &&
          call.instance === c.instance &&
          Object.is(call.learningRate, c.learningRate) &&
          sameArray(call.grad, c.grad)
        );
      if (call.op === 'closed')
        return c.op === 'closed' && call.instance === c.instance && sameValue(call.loop, c.loop);
      if (call.op === 'values')
        return (
          c.op === 'values' &&
          sameConfig(call.config, c.config) &&
          call.t.length === c.t.length &&
          call.t.every((t, i) => Object.is(t, c.t[i]))
        );
      return c.op === 'dispose' && call.instance === c.instance;
    });
  });
}

/** The same adapter as a law's runs see it, with its requests going to `runner`. */
function viewWith(
  adapter: Adapter,
  runner: (scripts: readonly Script[]) => Promise<ScriptOutcome[]>,
): Adapter & ScriptRunner {
  const view: Adapter & ScriptRunner = {
    name: adapter.name,
    dtype: adapter.dtype,
    optimizers: adapter.optimizers,
    create: (config, x0) => adapter.create(config, x0),
    [runScriptsKey]: runner,
  };
  if (adapter.schedules !== undefined) view.schedules = adapter.schedules;
  if (adapter.schedule !== undefined) view.schedule = adapter.schedule.bind(adapter);
  if (adapter.scheduleValues !== undefined) view.scheduleValues = adapter.scheduleValues.bind(adapter);
  return view;
}

/** A run of a batch that never got to the implementation (the batch stopped at an earlier run's adapter error). */
class NotRun {}

/** How the first pass ended: every run passed, or the first that did not, in run order. */
type FirstPass<T> =
  | { status: 'pass' }
  | { status: 'fail'; at: number; input: T; error: unknown }
  | { status: 'refused' };

/** One batch of a first pass under way: its runs (each settles with what it threw, or undefined), and its answer's arrival. */
interface Launched {
  from: number;
  size: number;
  runs: Promise<unknown>[];
  arrived: Promise<void>;
}

/**
 * Starts the runs of `batch` together; each runs up to its first request, and
 * those requests go to the implementation as one batch, in run order. Later
 * requests of a run go as they come.
 */
async function launch<T>(
  law: Law<T>,
  adapter: Adapter,
  batch: readonly T[],
  from: number,
  answered: Answered[],
): Promise<Launched> {
  const asked: (readonly Script[] | undefined)[] = batch.map(() => undefined);
  const replies: { resolve(o: ScriptOutcome[]): void; reject(e: unknown): void }[] = [];
  const replied = batch.map(
    () =>
      new Promise<ScriptOutcome[]>((resolve, reject) => {
        replies.push({ resolve, reject });
      }),
  );
  let reported = 0;
  let allReported!: () => void;
  const ready = new Promise<void>((resolve) => {
    allReported = resolve;
  });
  const report = (): void => {
    if (++reported === batch.length) allReported();
  };
  const runs = batch.map((input, k) => {
    let first = true;
    const view = viewWith(adapter, (scripts) => {
      if (!first) return runScripts(adapter, scripts);
      first = false;
      asked[k] = scripts;
      report();
      return replied[k]!;
    });
    return law
      .check(view, input)
      .then(
        () => undefined,
        (error: unknown) => error,
      )
      .finally(() => {
        if (!first) return;
        first = false;
        report();
      });
  });
  await ready;
  const order = batch.map((_, k) => k).filter((k) => asked[k] !== undefined);
  const arrived = runScripts(
    adapter,
    order.flatMap((k) => asked[k]!),
  ).then(
    (outcomes) => {
      let offset = 0;
      for (const k of order) {
        const share = outcomes.slice(offset, offset + asked[k]!.length);
        offset += asked[k]!.length;
        const complete =
          share.length === asked[k]!.length || share.some((o) => !o.ok && !(o.error instanceof UnsupportedValue));
        if (share.length > 0 && complete) {
          answered.push({ scripts: asked[k]!, answer: { outcomes: share } });
          replies[k]!.resolve(share);
        } else replies[k]!.reject(new NotRun());
      }
    },
    (error: unknown) => {
      // The batch itself failed (the worker ended, a call hung): the first run that asked meets that error.
      order.forEach((k, i) => {
        if (i === 0) answered.push({ scripts: asked[k]!, answer: { thrown: error } });
        replies[k]!.reject(i === 0 ? error : new NotRun());
      });
    },
  );
  return { from, size: batch.length, runs, arrived };
}

/**
 * The runs fast-check would make, made here from the same draws, in two batches
 * ({@link launch}): the first run alone, then all the others. One round trip per
 * batch across a boundary (a worker, a child; issue 9), instead of one per run.
 * An implementation that fails at the first run (most do) has made no call the
 * runs one at a time would not have made before the failure; one that fails later
 * has also made the other runs' first requests, and is shrunk in that state. It
 * runs the same way in-process, so both see the same calls in the same order.
 * `answered` receives each run's first request and answer, in run order.
 */
async function firstPass<T>(
  law: Law<T>,
  adapter: Adapter,
  inputs: readonly T[],
  answered: Answered[],
): Promise<FirstPass<T>> {
  for (const from of [0, 1]) {
    if (from >= inputs.length) break;
    const batch = await launch(law, adapter, from === 0 ? inputs.slice(0, 1) : inputs.slice(1), from, answered);
    await batch.arrived;
    const results = await Promise.all(batch.runs);
    for (const [k, error] of results.entries()) {
      if (error === undefined) continue;
      if (error instanceof NotRun) break;
      tellThrown(adapter, error);
      return error instanceof UnsupportedValue
        ? { status: 'refused' }
        : { status: 'fail', at: from + k, input: inputs[from + k]!, error };
    }
  }
  return { status: 'pass' };
}

/**
 * The adapter as fast-check's own pass sees it after a first pass that met a
 * refusal (fast-check then draws other inputs in its place): the i-th run's first
 * request is answered from the first pass when it is the same request, so that
 * nothing is asked twice; anything else, and everything after a mismatch or a
 * failure, goes to the implementation.
 */
class Replayed {
  private cursor = 0;
  private live = false;
  readonly view: Adapter & ScriptRunner;

  constructor(
    private readonly adapter: Adapter,
    private readonly answered: readonly Answered[],
  ) {
    this.view = viewWith(adapter, (scripts) => this.answer(scripts));
  }

  /** Every later request goes to the implementation (a failure is shrunk in its state after it). */
  stop(): void {
    this.live = true;
  }

  private answer(scripts: readonly Script[]): Promise<ScriptOutcome[]> {
    const at = this.answered[this.cursor];
    if (this.live || at === undefined || !sameBatch(at.scripts, scripts)) {
      this.live = true;
      return runScripts(this.adapter, scripts);
    }
    this.cursor++;
    return 'thrown' in at.answer ? Promise.reject(at.answer.thrown) : Promise.resolve(at.answer.outcomes);
  }
}

/** Runs a law against an adapter with fast-check and returns its outcome; never throws for a failing law. */
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
    const pass = await firstPass(law, adapter, fc.sample(arbitrary, { seed, numRuns }), answered);
    if (pass.status === 'pass') return { ...base, status: 'pass' };
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
