import { compareRun, compareScenario, type InstanceRun, type Mismatch, type ScenarioRun, traceOf } from './run.js';
import type { Counterexample, Finding } from './types.js';
import type { Judged } from './mixed-precision.js';

/** Where in a scenario's run a value is: `step 3, coordinate 1`, and `of instance 2` when the run has several. */
export function placeInRun(run: ScenarioRun, at: { step: number; coordinate: number }, instance: number): string {
  return `step ${at.step}, coordinate ${at.coordinate}${run.instances.length > 1 ? ` of instance ${instance + 1}` : ''}`;
}

/** What re-runs an instance by hand up to `step`: its x0, gradients and learning rates (null: unchanged). */
function runInputs(instance: InstanceRun, step: number): Pick<Counterexample, 'x0' | 'gradients' | 'learningRates'> {
  const gradients = instance.gradients.slice(0, step).map((g) => Array.from(g));
  const rates = (instance.learningRates ?? []).slice(0, step);
  const inputs: Pick<Counterexample, 'x0' | 'gradients' | 'learningRates'> = { x0: [...instance.x0], gradients };
  if (rates.some((r) => r !== undefined)) inputs.learningRates = gradients.map((_, k) => rates[k] ?? null);
  return inputs;
}

/** A scenario run's finding: pass, fail (the first difference beyond the bound), or explained by `non-finite` alone. */
export function scenarioFinding(run: ScenarioRun, dtype: Judged): Finding {
  const { scenario } = run;
  const compared = compareScenario(run, dtype, {});
  const where = (m: Mismatch, instance: number) =>
    `${placeInRun(run, m, instance)}: expected ${m.expected}, got ${m.actual}`;
  // A long vector (the large-vector probe) would put millions of numbers in the trace and the inputs: neither.
  const withTrace = (m: Mismatch, instance: number): Counterexample =>
    scenario.tile === undefined
      ? {
          ...m,
          config: scenario.config,
          ...runInputs(run.instances[instance]!, m.step),
          trace: traceOf(run.instances[instance]!, dtype, {}, m.step),
        }
      : { ...m, config: scenario.config };
  if (compared.mismatch !== undefined) {
    const m = compared.mismatch;
    return {
      check: scenario.id,
      status: 'fail',
      message: `${scenario.purpose}: ${where(m, compared.instance)} (relative error ${m.relativeError.toPrecision(3)}, ${m.ulp} ulp)`,
      counterexample: withTrace(m, compared.instance),
    };
  }
  if (compared.nonFinite !== undefined) {
    const m = compared.nonFinite;
    const instance = Math.max(
      0,
      run.instances.findIndex((i) => compareRun(i, dtype, {}).nonFinite !== undefined),
    );
    return {
      check: scenario.id,
      status: 'explained',
      conventions: ['non-finite'],
      message: `explained by non-finite: ${scenario.purpose}: from a step where a gradient, parameter or state value is infinite or NaN: ${where(m, instance)}`,
      counterexample: withTrace(m, instance),
    };
  }
  const skipped =
    compared.unchecked > 0
      ? `; ${compared.unchecked} value${compared.unchecked === 1 ? '' : 's'} beyond a finite bound not compared`
      : '';
  return {
    check: scenario.id,
    status: 'pass',
    message: `${compared.compared} value${compared.compared === 1 ? '' : 's'} within the derived bound${skipped}`,
  };
}
