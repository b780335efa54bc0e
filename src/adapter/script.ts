import type { Adapter } from './contract.js';
import { AdapterError } from './adapter-error.js';
import { adapterFault, copyParameters } from './checked-call.js';
import { UnsupportedValue } from './unsupported.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { type Run, scheduleOf, start } from './drive.js';
import { firstDifferentBits } from '../numerics/index.js';
import { type ClosedLoop, closedLoopGradient } from './closed-loop.js';

/** One call of a {@link Script}. Instances are numbered 0, 1, ... in the order of their `create`. */
export type ScriptCall =
  | { op: 'create'; config: OptimizerConfig; x0: Float64Array }
  | { op: 'step'; instance: number; grad: Float64Array; learningRate?: number }
  | { op: 'dispose'; instance: number }
  | { op: 'values'; config: ScheduleConfig; t: number[] }
  | { op: 'closed'; instance: number; loop: ClosedLoop };

/**
 * The calls one run of a law (or one scenario) makes, known before any is made
 * (its inputs decide them, not the answers; a `closed` call's gradients are the
 * landscape's at the iterates the adapter returns, computed where it runs): what lets a law cross a slow boundary (a worker,
 * a child) in one round trip instead of one per call, and lets checkLaw send all
 * of a law's runs at once. Plain data (structured clone).
 */
export interface Script {
  calls: ScriptCall[];
  /**
   * Record the `x0` and gradients the adapter changed (it always gets copies: the
   * script's arrays keep their bits). `all`: after every call, every array handed so
   * far (the immutability law: an adapter that keeps a gradient and changes it later);
   * `recent`: after every call, the arrays of that call and every x0 (the guard's
   * immutability check on long scenarios: linear in their length).
   */
  watch?: 'all' | 'recent';
}

/** An array the script handed to the adapter that the adapter changed. */
export interface HandedChange {
  /** The call it was handed in (a `create`'s x0, a `step`'s or a `closed` call's gradient). */
  handedAt: number;
  /** For a `closed` call: the step of its loop. */
  loopStep?: number;
  /** The first call after which the change was seen. */
  seenAfter: number;
  /** Its contents then. */
  values: Float64Array;
}

/** A schedule that failed at one t of a `values` call: the values before it are in `xs`. */
export interface ValueFailure {
  call: number;
  /** The index into the call's `t`. */
  at: number;
  /** An AdapterError (as text in the worker's answer, see src/isolation). */
  error: unknown;
}

/**
 * What a script gave: for each call, the parameters a `step` returned, or the
 * values of a `values` call (up to its failure, if any); with `watch`, the changes.
 */
export interface ScriptResult {
  xs: (Float64Array | undefined)[];
  changes: HandedChange[];
  failures?: ValueFailure[];
  /** For each `closed` call: the gradient of each step (as computed before the adapter got it) and the parameters after it. */
  loops?: ClosedLoopRun[];
}

/** What a `closed` call drove. */
export interface ClosedLoopRun {
  call: number;
  grads: Float64Array[];
  xs: Float64Array[];
}

/**
 * How one script of a batch ended: its result, or the error of call `call` (an
 * {@link AdapterError}, or an {@link UnsupportedValue} for a refused `create`).
 * A batch stops after the first AdapterError, as a law's runs stop at a failure;
 * a refusal only ends its own script, as a refused input is set aside.
 */
export type ScriptOutcome = { ok: true; result: ScriptResult } | { ok: false; error: unknown; call: number };

/**
 * The key under which an adapter layer (the guard, a law's view, an isolated
 * adapter) runs a batch of scripts itself: in one round trip where the adapter
 * lives behind a boundary. A symbol, so that no user adapter's own member is
 * mistaken for it.
 */
export const runScriptsKey: unique symbol = Symbol('optimspec.runScripts');

/** How a batch is run. */
export interface BatchOptions {
  /**
   * The batch is fetched ahead of need: across a boundary, the checker's thread goes
   * on (it judges the batch before) instead of waiting for the answer; the two overlap.
   */
  ahead?: boolean;
}

/** An adapter layer that runs scripts itself; see {@link runScriptsKey}. */
export interface ScriptRunner {
  [runScriptsKey](scripts: readonly Script[], options?: BatchOptions): Promise<ScriptOutcome[]>;
}

/** The adapter's own script runner, or undefined (a user's adapter: whatever its getters do, they are not run). */
export function scriptRunnerOf(adapter: Adapter): ScriptRunner[typeof runScriptsKey] | undefined {
  try {
    const own = (adapter as Partial<ScriptRunner>)[runScriptsKey];
    return typeof own === 'function' ? own.bind(adapter) : undefined;
  } catch {
    return undefined;
  }
}

/** The adapter's `scheduleValues`, bound; undefined if it has none (or reading it throws: then its `schedule` says what is wrong). */
function tableOf(
  adapter: Adapter,
): ((config: ScheduleConfig, t: readonly number[]) => Promise<ArrayLike<number>>) | undefined {
  try {
    const own = adapter.scheduleValues;
    return typeof own === 'function' ? own.bind(adapter) : undefined;
  } catch {
    return undefined;
  }
}

/** Called before every call into the adapter (the worker host keeps its per-call timeout with it). */
export type CallHook = (operation: 'create' | 'step' | 'steps' | 'dispose' | 'schedule') => void;

/**
 * What a script with `watch` hands the adapter: copies of its arrays, each
 * compared with the script's own after every call; a copy that changed is a
 * {@link HandedChange}. Without `watch`, only the copies.
 */
function handedWatch(script: Script): {
  hand(pristine: Float64Array, at: number, loopStep?: number): Float64Array;
  look(after: number): void;
  changes: HandedChange[];
} {
  const { calls } = script;
  const watch = script.watch !== undefined;
  const everything = script.watch === 'all';
  const changes: HandedChange[] = [];
  const watched: { at: number; loopStep?: number; x0: boolean; handed: Float64Array; pristine: ArrayLike<number> }[] =
    [];
  return {
    changes,
    hand(pristine, at, loopStep) {
      const handed = pristine.slice();
      if (watch)
        watched.push({
          at,
          handed,
          pristine,
          x0: calls[at]!.op === 'create',
          ...(loopStep === undefined ? {} : { loopStep }),
        });
      return handed;
    },
    look(after) {
      for (let w = 0; w < watched.length; w++) {
        const { at, loopStep, x0, handed, pristine } = watched[w]!;
        const changed = firstDifferentBits(pristine, handed) >= 0;
        if (changed)
          changes.push({
            handedAt: at,
            seenAfter: after,
            values: handed.slice(),
            ...(loopStep === undefined ? {} : { loopStep }),
          });
        // Seen once it changed; with `recent`, a gradient is looked at only after its own call.
        if (changed || (!everything && !x0)) watched.splice(w--, 1);
      }
    },
  };
}

/**
 * The values of call `j`, a `values` call: in the adapter's own batch where it has
 * one (the stdio protocol's table: one request, all or nothing), else one t at a
 * time up to the first that fails. A failure is kept for when the law asks for
 * that t, as a lookup one at a time would meet it: an earlier violation comes first.
 */
async function scheduleValuesOf(
  adapter: Adapter,
  call: Extract<ScriptCall, { op: 'values' }>,
  j: number,
  onCall?: CallHook,
): Promise<{ values: Float64Array; failure?: ValueFailure }> {
  onCall?.('schedule');
  const table = tableOf(adapter);
  if (table !== undefined) {
    try {
      return { values: copyParameters(await table(call.config, call.t), call.t.length, 'schedule') };
    } catch (error) {
      if (error instanceof UnsupportedValue) throw error;
      return { values: new Float64Array(0), failure: { call: j, at: 0, error: adapterFault('schedule', error) } };
    }
  }
  const fn = scheduleOf(adapter, call.config);
  const out = new Float64Array(call.t.length);
  for (let i = 0; i < call.t.length; i++) {
    onCall?.('schedule');
    try {
      out[i] = fn(call.t[i]!);
    } catch (error) {
      return { values: out.slice(0, i), failure: { call: j, at: i, error: adapterFault('schedule', error) } };
    }
  }
  return { values: out };
}

/**
 * Runs one script on `adapter` call by call, exactly as a law calling `start`,
 * `step` and `dispose` in that order would; consecutive steps of one instance go
 * as one batched `steps` where the adapter has it. After a failure the instances
 * still open are disposed, their errors ignored: the first error is the one to report.
 */
async function runLocally(adapter: Adapter, script: Script, onCall?: CallHook): Promise<ScriptOutcome> {
  const { calls } = script;
  const runs: Run[] = [];
  const open = new Set<number>();
  const xs: (Float64Array | undefined)[] = new Array(calls.length).fill(undefined);
  const failures: ValueFailure[] = [];
  const loops: ClosedLoopRun[] = [];
  const watch = script.watch !== undefined;
  const { hand, look, changes } = handedWatch(script);
  let j = 0;
  try {
    for (; j < calls.length; j++) {
      const call = calls[j]!;
      if (call.op === 'create') {
        onCall?.('create');
        runs.push(await start(adapter, call.config, hand(call.x0, j), true));
        open.add(runs.length - 1);
      } else if (call.op === 'step') {
        const run = runs[call.instance]!;
        let end = j + 1;
        if (run.steps !== undefined)
          while (
            end < calls.length &&
            calls[end]!.op === 'step' &&
            (calls[end] as { instance: number }).instance === call.instance
          )
            end++;
        if (end - j > 1) {
          onCall?.('steps');
          const batch = calls.slice(j, end) as Extract<ScriptCall, { op: 'step' }>[];
          const out = await run.steps!(
            batch.map((c, k) => hand(c.grad, j + k)),
            batch.map((c) => c.learningRate),
            true,
          );
          out.forEach((x, k) => {
            xs[j + k] = x;
          });
          j = end - 1;
        } else {
          onCall?.('step');
          xs[j] = await run.step(hand(call.grad, j), call.learningRate, true);
        }
      } else if (call.op === 'closed') {
        // The gradient of each step is the landscape's at the iterate the adapter returned (closedLoopGradient).
        const run = runs[call.instance]!;
        const { loop } = call;
        const done: ClosedLoopRun = { call: j, grads: [], xs: [] };
        loops.push(done);
        for (let t = 0; t < loop.steps; t++) {
          onCall?.('step');
          const grad = closedLoopGradient(loop, done.xs[t - 1], t);
          done.grads.push(grad);
          done.xs.push(await run.step(hand(grad, j, t), loop.learningRates?.[t], true));
          if (watch) look(j);
        }
      } else if (call.op === 'values') {
        const { values, failure } = await scheduleValuesOf(adapter, call, j, onCall);
        xs[j] = values;
        if (failure !== undefined) failures.push(failure);
      } else {
        const run = runs[call.instance]!;
        open.delete(call.instance);
        onCall?.('dispose');
        await run.dispose();
      }
      if (watch) look(j);
    }
  } catch (error) {
    for (const k of open) await runs[k]!.dispose().catch(() => undefined);
    const op = calls[j]?.op;
    return {
      ok: false,
      error: adapterFault(op === 'values' ? 'schedule' : op === 'create' || op === 'dispose' ? op : 'step', error),
      call: j,
    };
  }
  const result: ScriptResult = { xs, changes };
  if (failures.length > 0) result.failures = failures;
  if (loops.length > 0) result.loops = loops;
  return { ok: true, result };
}

const inProgress = new WeakMap<object, number>();

/** Marks the failure of a whole batch (the worker ended, a call hung) with the index of the script that was running. */
export function failedInScript(error: AdapterError, script: number): AdapterError {
  inProgress.set(error, script);
  return error;
}

/** The index of the script that was running when a whole batch failed, if known ({@link failedInScript}). */
export function scriptInProgress(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? inProgress.get(error) : undefined;
}

/** Throws unless every `step` and `dispose` names an instance created before and not yet disposed (a law's mistake, not the adapter's). */
export function validateScript(script: Script): void {
  let created = 0;
  const disposed = new Set<number>();
  script.calls.forEach((call, j) => {
    if (call.op === 'create') created++;
    else if (call.op === 'values') return;
    else if (
      !Number.isInteger(call.instance) ||
      call.instance < 0 ||
      call.instance >= created ||
      disposed.has(call.instance)
    ) {
      throw new Error(`script call ${j} (${call.op}) names instance ${call.instance}, which is not open`);
    } else if (call.op === 'dispose') disposed.add(call.instance);
  });
}

/**
 * Runs a batch of scripts in order on `adapter` itself, call by call (the local
 * runner every layer falls back on, and what the worker host runs): stops after
 * the first script that meets an AdapterError.
 */
export async function runScriptsLocally(
  adapter: Adapter,
  scripts: readonly Script[],
  onCall?: CallHook,
  onScript?: (index: number) => void,
): Promise<ScriptOutcome[]> {
  for (const script of scripts) validateScript(script);
  const outcomes: ScriptOutcome[] = [];
  for (const script of scripts) {
    onScript?.(outcomes.length);
    const outcome = await runLocally(adapter, script, onCall);
    outcomes.push(outcome);
    if (!outcome.ok && !(outcome.error instanceof UnsupportedValue)) break;
  }
  return outcomes;
}

/** Runs a batch of scripts: through the adapter's own runner where it has one (one round trip), else locally. */
export function runScripts(
  adapter: Adapter,
  scripts: readonly Script[],
  options: BatchOptions = {},
): Promise<ScriptOutcome[]> {
  const runner = scriptRunnerOf(adapter);
  return runner === undefined ? runScriptsLocally(adapter, scripts) : runner(scripts, options);
}

/** Runs one script and returns its result; throws its error (an AdapterError, or UnsupportedValue for a refusal). */
export async function runScript(adapter: Adapter, script: Script): Promise<ScriptResult> {
  const [outcome] = await runScripts(adapter, [script]);
  if (outcome === undefined) throw new AdapterError('the script runner answered nothing', 'step');
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
