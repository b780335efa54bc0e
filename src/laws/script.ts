import type { Adapter } from '../conformance/adapter.js';
import { AdapterError } from '../conformance/adapter-error.js';
import { errorText } from '../conformance/error-text.js';
import { UnsupportedValue } from '../conformance/unsupported.js';
import type { OptimizerConfig } from '../reference/types.js';
import { type Run, start } from './drive.js';

/** One call of a {@link Script}. Instances are numbered 0, 1, ... in the order of their `create`. */
export type ScriptCall =
  | { op: 'create'; config: OptimizerConfig; x0: Float64Array }
  | { op: 'step'; instance: number; grad: Float64Array; learningRate?: number }
  | { op: 'dispose'; instance: number };

/**
 * The calls one run of a law makes, known before any is made (the law's inputs
 * decide them, not the answers): what lets a law cross a slow boundary (a worker,
 * a child) in one round trip instead of one per call, and lets checkLaw send all
 * of a law's runs at once. Plain data (structured clone).
 */
export interface Script {
  calls: ScriptCall[];
  /**
   * Hand the adapter the script's own `x0` and gradients (not copies) and record,
   * after every call, each one it changed (the immutability law); else it gets copies.
   */
  watch?: boolean;
}

/** An array the script handed to the adapter that the adapter changed. */
export interface HandedChange {
  /** The call it was handed in (a `create`'s x0 or a `step`'s gradient). */
  handedAt: number;
  /** The first call after which the change was seen. */
  seenAfter: number;
  /** Its contents then. */
  values: Float64Array;
}

/** What a script gave: for each call, the parameters a `step` returned (else undefined); with `watch`, the changes. */
export interface ScriptResult {
  xs: (Float64Array | undefined)[];
  changes: HandedChange[];
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

/** An adapter layer that runs scripts itself; see {@link runScriptsKey}. */
export interface ScriptRunner {
  [runScriptsKey](scripts: readonly Script[]): Promise<ScriptOutcome[]>;
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

/** Called before every call into the adapter (the worker host keeps its per-call timeout with it). */
export type CallHook = (operation: 'create' | 'step' | 'steps' | 'dispose') => void;

function firstChange(pristine: Float64Array, handed: Float64Array): boolean {
  for (let i = 0; i < handed.length; i++) if (!Object.is(pristine[i], handed[i])) return true;
  return false;
}

function adapterError(error: unknown, operation: string): unknown {
  if (error instanceof AdapterError || error instanceof UnsupportedValue) return error;
  return new AdapterError(`${operation} threw: ${errorText(error)}`, operation, { cause: error });
}

/**
 * Runs one script on `adapter` call by call, exactly as a law calling `start`,
 * `step` and `dispose` in that order would; consecutive steps of one instance go
 * as one batched `steps` where the adapter has it (not with `watch`). After a
 * failure the instances still open are disposed, their errors ignored: the
 * first error is the one to report.
 */
async function runLocally(adapter: Adapter, script: Script, onCall?: CallHook): Promise<ScriptOutcome> {
  const { calls } = script;
  const runs: Run[] = [];
  const open = new Set<number>();
  const xs: (Float64Array | undefined)[] = new Array(calls.length).fill(undefined);
  const changes: HandedChange[] = [];
  const watched: { at: number; handed: Float64Array; pristine: Float64Array }[] = [];
  const own = script.watch === true;
  const look = (after: number): void => {
    for (let w = 0; w < watched.length; w++) {
      const { at, handed, pristine } = watched[w]!;
      if (!firstChange(pristine, handed)) continue;
      changes.push({ handedAt: at, seenAfter: after, values: handed.slice() });
      watched.splice(w--, 1);
    }
  };
  let j = 0;
  try {
    for (; j < calls.length; j++) {
      const call = calls[j]!;
      if (call.op === 'create') {
        onCall?.('create');
        if (own) watched.push({ at: j, handed: call.x0, pristine: call.x0.slice() });
        runs.push(await start(adapter, call.config, call.x0, own));
        open.add(runs.length - 1);
      } else if (call.op === 'step') {
        const run = runs[call.instance]!;
        let end = j + 1;
        if (!own && run.steps !== undefined) while (end < calls.length && calls[end]!.op === 'step' && (calls[end] as { instance: number }).instance === call.instance) end++;
        if (end - j > 1) {
          onCall?.('steps');
          const batch = calls.slice(j, end) as Extract<ScriptCall, { op: 'step' }>[];
          const out = await run.steps!(batch.map((c) => c.grad), batch.map((c) => c.learningRate));
          out.forEach((x, k) => {
            xs[j + k] = x;
          });
          j = end - 1;
        } else {
          onCall?.('step');
          if (own) watched.push({ at: j, handed: call.grad, pristine: call.grad.slice() });
          xs[j] = await run.step(call.grad, call.learningRate, own);
        }
      } else {
        const run = runs[call.instance]!;
        open.delete(call.instance);
        onCall?.('dispose');
        await run.dispose();
      }
      if (own) look(j);
    }
  } catch (error) {
    for (const k of open) await runs[k]!.dispose().catch(() => undefined);
    const operation = calls[j]?.op ?? 'step';
    return { ok: false, error: adapterError(error, operation), call: j };
  }
  return { ok: true, result: { xs, changes } };
}

/** Throws unless every `step` and `dispose` names an instance created before and not yet disposed (a law's mistake, not the adapter's). */
export function validateScript(script: Script): void {
  let created = 0;
  const disposed = new Set<number>();
  script.calls.forEach((call, j) => {
    if (call.op === 'create') created++;
    else if (!Number.isInteger(call.instance) || call.instance < 0 || call.instance >= created || disposed.has(call.instance)) {
      throw new Error(`script call ${j} (${call.op}) names instance ${call.instance}, which is not open`);
    } else if (call.op === 'dispose') disposed.add(call.instance);
  });
}

/**
 * Runs a batch of scripts in order on `adapter` itself, call by call (the local
 * runner every layer falls back on, and what the worker host runs): stops after
 * the first script that meets an AdapterError.
 */
export async function runScriptsLocally(adapter: Adapter, scripts: readonly Script[], onCall?: CallHook): Promise<ScriptOutcome[]> {
  for (const script of scripts) validateScript(script);
  const outcomes: ScriptOutcome[] = [];
  for (const script of scripts) {
    const outcome = await runLocally(adapter, script, onCall);
    outcomes.push(outcome);
    if (!outcome.ok && !(outcome.error instanceof UnsupportedValue)) break;
  }
  return outcomes;
}

/** Runs a batch of scripts: through the adapter's own runner where it has one (one round trip), else locally. */
export function runScripts(adapter: Adapter, scripts: readonly Script[]): Promise<ScriptOutcome[]> {
  const runner = scriptRunnerOf(adapter);
  return runner === undefined ? runScriptsLocally(adapter, scripts) : runner(scripts);
}

/** Runs one script and returns its result; throws its error (an AdapterError, or UnsupportedValue for a refusal). */
export async function runScript(adapter: Adapter, script: Script): Promise<ScriptResult> {
  const [outcome] = await runScripts(adapter, [script]);
  if (outcome === undefined) throw new AdapterError('the script runner answered nothing', 'step');
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/** One open-loop run of {@link trajectories}: `learningRates[t]`, when defined, replaces the learning rate from step t on. */
export interface TrajectorySpec {
  config: OptimizerConfig;
  x0: ArrayLike<number>;
  grads: readonly ArrayLike<number>[];
  learningRates?: readonly (number | undefined)[];
}

/** The script of trajectories run one after the other: create, every step, dispose. */
export function trajectoryScript(specs: readonly TrajectorySpec[]): Script {
  const calls: ScriptCall[] = [];
  specs.forEach((spec, instance) => {
    calls.push({ op: 'create', config: spec.config, x0: Float64Array.from(spec.x0) });
    spec.grads.forEach((g, t) => {
      const lr = spec.learningRates?.[t];
      calls.push({ op: 'step', instance, grad: Float64Array.from(g), ...(lr === undefined ? {} : { learningRate: lr }) });
    });
    calls.push({ op: 'dispose', instance });
  });
  return { calls };
}

/** The parameters after each step of each instance of a script, in call order. */
export function trajectoriesOf(script: Script, result: ScriptResult): Float64Array[][] {
  const out: Float64Array[][] = [];
  script.calls.forEach((call, j) => {
    if (call.op === 'create') out.push([]);
    else if (call.op === 'step') out[call.instance]!.push(result.xs[j]!);
  });
  return out;
}

/**
 * Runs open-loop trajectories one after the other (each instance created, stepped
 * and disposed before the next) in one script: one round trip for all of them.
 * Returns the parameters after each step of each.
 */
export async function trajectories(adapter: Adapter, specs: readonly TrajectorySpec[]): Promise<Float64Array[][]> {
  const script = trajectoryScript(specs);
  return trajectoriesOf(script, await runScript(adapter, script));
}

/**
 * Runs a whole open-loop gradient sequence on a fresh instance (one script) and
 * returns the parameters after each step (copies). `learningRates[t]`, when
 * defined, replaces the learning rate from step t on.
 */
export async function trajectory(
  adapter: Adapter,
  config: OptimizerConfig,
  x0: ArrayLike<number>,
  grads: readonly ArrayLike<number>[],
  learningRates: readonly (number | undefined)[] = [],
): Promise<Float64Array[]> {
  const [xs] = await trajectories(adapter, [{ config, x0, grads, learningRates }]);
  return xs!;
}
