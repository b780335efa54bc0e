import { createOptimizer } from '../registry/index.js';
import {
  allocate,
  type Arithmetic,
  firstDifferentBits,
  sameBits,
  ulpDistance,
  rounderFor,
  dtypeLimits,
} from '../numerics/index.js';
import type { Conventions, Dtype, OptimizerConfig } from '../reference/index.js';
import type { MutationRecord } from './guard.js';
import type { ClosedLoop, Script, ScriptCall, ScriptResult } from '../adapter/index.js';
import type { Scenario } from './scenarios.js';
import { type BoundedStep, type BugVariant, boundedStepper, boundedTrajectory } from './tolerance.js';
import type { Counterexample, Trace } from './types.js';
import { type Judged, parametersDtype } from './mixed-precision.js';

/** The inputs of one instance's run, as the implementation received them, and its answers. */
export interface InstanceRun {
  config: OptimizerConfig;
  /**
   * The run's x0 and gradients repeat a pattern of this many coordinates (the
   * large-vector probe): coordinate i follows the pattern's i mod tile, so the
   * reference and its bound are computed for the pattern only.
   */
  tile?: number;
  x0: number[];
  gradients: Float64Array[];
  learningRates?: (number | undefined)[];
  /** Parameters after every step, as returned (copied by the guard). */
  xs: Float64Array[];
  /** The arithmetic the implementation declared (src/numerics/arithmetic.ts); absent, IEEE-754. Sets the bounds. */
  arithmetic?: Arithmetic;
}

/** What a scenario produced: one run per instance. */
export interface ScenarioRun {
  scenario: Scenario;
  instances: InstanceRun[];
}

/** Where an implementation's answer parts from a reference by more than the derived bound. */
export type Mismatch = Required<
  Pick<Counterexample, 'step' | 'coordinate' | 'expected' | 'actual' | 'relativeError' | 'ulp' | 'tolerance'>
>;

function asRun(
  scenario: Scenario,
  x0: number[],
  gradients: Float64Array[],
  xs: Float64Array[],
  arithmetic: Arithmetic,
): InstanceRun {
  const run: InstanceRun = { config: scenario.config, x0, gradients, xs };
  if (arithmetic !== 'ieee754') run.arithmetic = arithmetic;
  if (scenario.learningRates !== undefined) run.learningRates = scenario.learningRates;
  if (scenario.tile !== undefined) run.tile = scenario.tile;
  return run;
}

/**
 * The calls of a scenario as one script (src/adapter/script.ts), watching what it
 * hands (the immutability check): open loop, the gradients in one batch; two
 * instances, their steps in turn; closed loop, a `closed` call, whose `dx` is
 * `landscapeGradient` in the implementation's dtype at the iterate it returned,
 * computed where the implementation runs.
 *
 * Closed-loop runs are judged by replaying the gradients the implementation was
 * given through the reference (see {@link compareRun}), not by comparing its
 * iterates with the reference's own closed-loop trajectory: on the local-minimum
 * and saddle landscapes a rounding difference of one ulp is amplified step after
 * step (|d dx / dx| = |3x^2 - 1| > 1), so two correct float32 implementations
 * part by O(1) after a few dozen steps and no bound derived from the arithmetic
 * would stay meaningful. Replayed, each step is again an open-loop step with the
 * running error bound, so a closed-loop run tests the rule at the iterates the
 * implementation itself produced, for every step, with no chaos in the bound.
 */
export function scenarioScript(scenario: Scenario, dtype: Dtype): Script {
  const { config, x0 } = scenario;
  const calls: ScriptCall[] = [{ op: 'create', config, x0: Float64Array.from(x0) }];
  if (scenario.second !== undefined) {
    const ga = scenario.gradients!;
    const gb = scenario.second.gradients;
    calls.push({ op: 'create', config, x0: Float64Array.from(scenario.second.x0) });
    for (let k = 0; k < Math.max(ga.length, gb.length); k++) {
      if (k < ga.length) calls.push({ op: 'step', instance: 0, grad: Float64Array.from(ga[k]!) });
      if (k < gb.length) calls.push({ op: 'step', instance: 1, grad: Float64Array.from(gb[k]!) });
    }
    calls.push({ op: 'dispose', instance: 0 }, { op: 'dispose', instance: 1 });
  } else if (scenario.gradients !== undefined) {
    scenario.gradients.forEach((g, t) => {
      const lr = scenario.learningRates?.[t];
      calls.push({
        op: 'step',
        instance: 0,
        grad: Float64Array.from(g),
        ...(lr === undefined ? {} : { learningRate: lr }),
      });
    });
    calls.push({ op: 'dispose', instance: 0 });
  } else {
    const closed = scenario.closed!;
    const loop: ClosedLoop = {
      landscape: closed.landscape,
      steps: closed.steps,
      x0,
      dtype,
      ...(scenario.learningRates === undefined ? {} : { learningRates: scenario.learningRates }),
    };
    calls.push({ op: 'closed', instance: 0, loop }, { op: 'dispose', instance: 0 });
  }
  return { calls, watch: 'recent' };
}

/**
 * A scenario's run from its script's result, and the mutations of what it handed (x0 first, then
 * gradients in order); each instance run judged on the implementation's declared `arithmetic`.
 */
export function scenarioRunOf(
  scenario: Scenario,
  script: Script,
  result: ScriptResult,
  arithmetic: Arithmetic = 'ieee754',
): { run: ScenarioRun; mutations: MutationRecord[] } {
  const instances: InstanceRun[] = [];
  const stepOf: number[] = [];
  const counts: number[] = [];
  script.calls.forEach((call, j) => {
    if (call.op === 'create') {
      counts.push(0);
      const x0 = Array.from(call.x0);
      instances.push(
        instances.length === 0
          ? asRun(scenario, scenario.x0, [], [], arithmetic)
          : { config: call.config, x0, gradients: [], xs: [], ...(arithmetic === 'ieee754' ? {} : { arithmetic }) },
      );
    } else if (call.op === 'step') {
      stepOf[j] = counts[call.instance]!++;
      instances[call.instance]!.gradients.push(call.grad);
      instances[call.instance]!.xs.push(result.xs[j]!);
    } else if (call.op === 'closed') {
      const loop = result.loops?.find((l) => l.call === j);
      instances[call.instance]!.gradients.push(...(loop?.grads ?? []));
      instances[call.instance]!.xs.push(...(loop?.xs ?? []));
    }
  });
  const mutations: MutationRecord[] = [];
  for (const change of [...result.changes].sort(
    (a, b) => a.handedAt - b.handedAt || (a.loopStep ?? 0) - (b.loopStep ?? 0),
  )) {
    const call = script.calls[change.handedAt]!;
    const before =
      call.op === 'create'
        ? call.x0
        : call.op === 'step'
          ? call.grad
          : instances[(call as { instance: number }).instance]!.gradients[change.loopStep ?? 0]!;
    const i = firstDifferentBits(before, change.values);
    if (i < 0) continue;
    const step = call.op === 'create' ? 0 : call.op === 'step' ? stepOf[change.handedAt]! : (change.loopStep ?? 0);
    mutations.push({
      operation: call.op === 'create' ? 'create' : 'step',
      step,
      coordinate: i,
      before: before[i]!,
      after: change.values[i]!,
    });
  }
  return { run: { scenario, instances }, mutations };
}

/** The reference's answers to the same inputs in the declared dtype (NumPy's own result), for the bit-exact shortcut; none for a mixed precision. */
function referenceRun(run: InstanceRun, judged: Judged, conventions: Conventions): Float64Array[] {
  if (typeof judged !== 'string') return [];
  const dtype = judged;
  const x = allocate(dtype, run.x0.length);
  x.set(run.x0);
  const optimizer = createOptimizer(run.config, { size: x.length, dtype, conventions });
  return run.gradients.map((g, k) => {
    optimizer.step(x, g, run.learningRates?.[k]);
    return Float64Array.from(x);
  });
}

/** What {@link compareRun} found. */
export interface Comparison {
  /** The first step and coordinate beyond the derived bound where every input was finite. */
  mismatch?: Mismatch;
  /** The first difference at a step whose gradient, parameter or state held an infinity or NaN (the `non-finite` convention). */
  nonFinite?: Mismatch;
  /** Values whose bound became infinite (beyond the dtype's range, or a denominator lost in error). */
  unchecked: number;
  compared: number;
}

/**
 * Compares one instance's answers with the reference built with `conventions`
 * (the lecture's rule when empty), or with a known bug's formula. A value passes
 * when it is bit-identical to the reference in the declared dtype (NumPy's own
 * result), or within the running error bound of tolerance.ts of the float64
 * evaluation. A non-finite expected value must be matched exactly (NaN by NaN, an
 * infinity by itself). From the first step of a coordinate whose inputs or state
 * hold an infinity or NaN, where the spec's new parameter is one (0 / 0 at eps = 0), or where an
 * implementation may hold one (tolerance.ts), a difference
 * is reported as `nonFinite`, not as a mismatch: docs/conventions.md's `non-finite`
 * (`0 * Infinity` formed where NumPy never forms it, non-finite gradients skipped or
 * clipped, `g - m` overflowing where the written form does not). A value whose bound
 * is infinite is not compared, unless it is an infinity or NaN from such a step on.
 */
export function compareRun(run: InstanceRun, dtype: Judged, conventions: Conventions, bug?: BugVariant): Comparison {
  const model = patternOf(run);
  const own = bug === undefined ? referenceRun(model, dtype, conventions) : [];
  // The bounded trajectory (the checker's costliest computation) step by step, and only once a value is not the
  // reference's own bits (for a correct implementation in the reference's evaluation order, never), up to the step
  // compared: a run that parts from the model stops there. A coordinate's `nonFinite` only falls to the step being
  // computed, so up to step k it reads as the whole trajectory's would.
  let stepper: ReturnType<typeof boundedStepper> | undefined;
  const computed: BoundedStep[] = [];
  const boundedAt = (k: number): BoundedStep => {
    stepper ??= boundedStepper(model.config, conventions, dtype, model.x0, bug, run.arithmetic);
    for (let t = computed.length; t <= k; t++)
      computed.push(stepper.step(model.gradients[t]!, model.learningRates?.[t]));
    return computed[k]!;
  };
  const width = model.x0.length;
  const out: Comparison = { unchecked: 0, compared: 0 };
  for (let k = 0; k < run.xs.length; k++) {
    const actual = run.xs[k]!;
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i]!;
      const j = i % width;
      out.compared++;
      if (own.length > 0 && sameBits(a, own[k]![j]!)) continue;
      const bounded = boundedAt(k);
      const expected = bounded.x[j]!;
      const bound = bounded.bound[j]!;
      const nonFinite = stepper!.nonFinite[j]!;
      let ok: boolean;
      if (!Number.isFinite(expected)) ok = sameBits(a, expected);
      else if (!(bound < Number.POSITIVE_INFINITY)) {
        out.unchecked++;
        // Unchecked, except that an infinity or NaN where the float64 value is finite, from a step where the
        // implementation may hold an infinity (the dtype's range reached, a denominator of 0), is `non-finite`'s.
        ok = Number.isFinite(a) || k + 1 < nonFinite;
      } else ok = Math.abs(a - expected) <= bound;
      if (ok) continue;
      const mismatch = describeMismatch(k, i, expected, a, bound, parametersDtype(dtype), run.arithmetic);
      if (k + 1 >= nonFinite) {
        out.nonFinite ??= mismatch;
        continue;
      }
      out.mismatch = mismatch;
      return out;
    }
  }
  return out;
}

/** The run itself, or for a tiled run its pattern: the first `tile` coordinates (the model of every coordinate). */
function patternOf(run: InstanceRun): InstanceRun {
  if (run.tile === undefined || run.tile >= run.x0.length) return run;
  const tile = run.tile;
  return { ...run, x0: run.x0.slice(0, tile), gradients: run.gradients.map((g) => g.subarray(0, tile)), xs: [] };
}

function describeMismatch(
  k: number,
  i: number,
  expected: number,
  actual: number,
  bound: number,
  dtype: Dtype,
  arithmetic: Arithmetic = 'ieee754',
): Mismatch {
  const round = rounderFor(dtype);
  const on = arithmetic === 'ieee754' ? '' : ` on ${arithmetic} arithmetic`;
  return {
    step: k + 1,
    coordinate: i,
    expected,
    actual,
    relativeError: Math.abs(actual - expected) / Math.abs(expected),
    ulp: ulpDistance(round(actual), round(expected), dtype),
    tolerance: Number.isFinite(expected)
      ? `|actual - expected| <= ${bound.toPrecision(3)}: running error bound for ${dtype}${on} (u = 2^-${dtypeLimits(dtype).bits}) after ${k + 1} step${k === 0 ? '' : 's'} (src/conformance/tolerance.ts)`
      : 'a non-finite reference value must be matched exactly',
  };
}

/** Compares every instance of a scenario run; the first mismatch wins. */
export function compareScenario(
  run: ScenarioRun,
  dtype: Judged,
  conventions: Conventions,
  bug?: BugVariant,
): Comparison & { instance: number } {
  let unchecked = 0;
  let compared = 0;
  let nonFinite: Mismatch | undefined;
  for (let j = 0; j < run.instances.length; j++) {
    const result = compareRun(run.instances[j]!, dtype, conventions, bug);
    unchecked += result.unchecked;
    compared += result.compared;
    nonFinite ??= result.nonFinite;
    if (result.mismatch !== undefined)
      return { ...result, instance: j, unchecked, compared, ...(nonFinite === undefined ? {} : { nonFinite }) };
  }
  return { instance: -1, unchecked, compared, ...(nonFinite === undefined ? {} : { nonFinite }) };
}

/** At most this many steps of a run go into a {@link Trace} (the report's plots), ending 10 steps after the first difference. */
const TRACE_STEPS = 256;

/**
 * The run step by step for the report's plots: the implementation's values, the
 * lecture's rule with its derived bound, and, when `conventions` explain the run,
 * the reference built with them. Long runs are cut to {@link TRACE_STEPS} steps from
 * the start, or ending 10 steps after `step` when that lies further.
 */
export function traceOf(run: InstanceRun, dtype: Judged, conventions: Conventions, step: number): Trace {
  const total = run.xs.length;
  const end = Math.min(total, Math.max(TRACE_STEPS, step + 10));
  const first = Math.max(0, end - TRACE_STEPS);
  const window = <T>(rows: readonly T[]): T[] => rows.slice(first, end);
  const under = (conventions: Conventions) =>
    boundedTrajectory(
      run.config,
      conventions,
      dtype,
      run.x0,
      run.gradients,
      run.learningRates,
      undefined,
      run.arithmetic,
    );
  const spec = under({});
  const rows = (values: readonly Float64Array[]): number[][] => window(values).map((row) => Array.from(row));
  const trace: Trace = {
    actual: rows(run.xs),
    expected: rows(spec.x),
    bound: rows(spec.bound),
    learningRates: window(ratesOf(run)),
  };
  if (first > 0) trace.firstStep = first + 1;
  if (Object.keys(conventions).length > 0) trace.convention = rows(under(conventions).x);
  return trace;
}

function ratesOf(run: InstanceRun): number[] {
  let lr = run.config.learningRate;
  return run.gradients.map((_, k) => {
    lr = run.learningRates?.[k] ?? lr;
    return lr;
  });
}
