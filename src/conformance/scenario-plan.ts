import type { OptimizerName } from '../reference/index.js';
import { conformanceFixtures } from './conformance-fixtures.js';
import type { CheckContext } from './context.js';
import { CONFORMANCE_DEFAULTS } from './defaults.js';
import { drawnScenarios } from './drawn-scenarios.js';
import {
  fixtureScenarios,
  largeVectorScenario,
  probeScenarios,
  type Scenario,
  statePrecisionProbe,
} from './scenarios.js';
import { isMixed } from '../adapter/index.js';

/** What decides an optimizer's scenarios. */
export type ScenarioContext = Pick<CheckContext, 'adapter' | 'seed' | 'runs' | 'largeVector'>;

/** The fixed scenarios of an optimizer, and how many drawn ones follow. */
export interface ScenarioPlan {
  fixed: Scenario[];
  drawn: number;
}

/** The fixed scenarios and how many drawn ones follow; the drawn ones are generated as they run (memory does not grow with `runs`). */
export function scenarioPlan(rule: OptimizerName, ctx: ScenarioContext): ScenarioPlan {
  const file = conformanceFixtures().optimizers.find((f) => f.rule === rule && f.dtype === ctx.adapter.dtype);
  return {
    fixed: [
      ...fixtureScenarios(file?.cases ?? []),
      ...probeScenarios(rule, ctx.adapter.dtype),
      // Only a mixed-precision adapter declares a state precision to hold it to.
      ...(isMixed(ctx.adapter) ? statePrecisionProbe(rule, ctx.adapter.dtype) : []),
    ],
    drawn: Math.max(1, Math.round(CONFORMANCE_DEFAULTS.randomScenarios * ctx.runs)),
  };
}

/** The scenarios of one optimizer, in the order they run: golden fixtures of the adapter's dtype, probes, drawn runs. */
export function* scenarioStream(rule: OptimizerName, ctx: ScenarioContext, plan: ScenarioPlan): Generator<Scenario> {
  yield* plan.fixed;
  yield* drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, plan.drawn);
  if (ctx.largeVector !== undefined) yield largeVectorScenario(rule, ctx.adapter.dtype, ctx.largeVector);
}

/** The scenario ids of one optimizer, without building them (the large-vector probe holds millions of numbers). */
export function scenarioIds(rule: OptimizerName, ctx: ScenarioContext): string[] {
  const { fixed, drawn } = scenarioPlan(rule, ctx);
  return [
    ...fixed.map((s) => s.id),
    ...Array.from(drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, drawn), (s) => s.id),
    ...(ctx.largeVector === undefined ? [] : ['probe:large-vector']),
  ];
}
