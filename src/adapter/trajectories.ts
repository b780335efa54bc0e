import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { AdapterError } from './adapter-error.js';
import type { Adapter } from './contract.js';
import { runScript, type Script, type ScriptCall, type ScriptResult } from './script.js';

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
      calls.push({
        op: 'step',
        instance,
        grad: Float64Array.from(g),
        ...(lr === undefined ? {} : { learningRate: lr }),
      });
    });
    calls.push({ op: 'dispose', instance });
  });
  return { calls };
}

/** The parameters after each step of each instance of a script, in call order (a `closed` call's steps included). */
export function trajectoriesOf(script: Script, result: ScriptResult): Float64Array[][] {
  const out: Float64Array[][] = [];
  script.calls.forEach((call, j) => {
    if (call.op === 'create') out.push([]);
    else if (call.op === 'step') out[call.instance]!.push(result.xs[j]!);
    else if (call.op === 'closed') out[call.instance]!.push(...(result.loops?.find((l) => l.call === j)?.xs ?? []));
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

/**
 * A schedule's values at every `t` in one script (one round trip across a
 * boundary), each t evaluated once, in ascending order, as the stdio protocol's
 * table is. Returns the lookup a law reads them with: it throws, at the first t
 * the implementation failed at and every later one, what the implementation threw.
 */
export async function scheduleTable(
  adapter: Adapter,
  config: ScheduleConfig,
  ts: readonly number[],
): Promise<(t: number) => number> {
  const t = [...new Set(ts)].sort((a, b) => a - b);
  const result = await runScript(adapter, { calls: [{ op: 'values', config, t }] });
  const values = result.xs[0] ?? new Float64Array(0);
  const failure = result.failures?.[0];
  return (s: number): number => {
    const i = t.indexOf(s);
    if (i < 0) throw new Error(`scheduleTable: t = ${s} was not asked for`);
    if (i < values.length) return values[i]!;
    throw failure?.error ?? new AdapterError(`schedule(${config.schedule}): no value at t = ${s}`, 'schedule');
  };
}
