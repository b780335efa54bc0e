import { AdapterError, UnsupportedValue } from '../adapter/index.js';
import {
  type ConventionId,
  type Dtype,
  type KnownBugId,
  LECTURE_EPSILON,
  type OptimizerConfig,
  type OptimizerName,
} from '../reference/index.js';
import type { CheckContext } from './context.js';
import {
  driveLongHorizon,
  type HorizonOptions,
  type HorizonResult,
  horizonEdges,
  judgeLongHorizon,
} from './long-horizon.js';
import type { Finding } from './types.js';

/** The check id of an optimizer's long-horizon runs (docs/spec.md section 9, "long horizons"). */
export const LONG_HORIZON_CHECK = 'long-horizon';

/** The longest run a scenario makes: the lecture's t is unbounded, a check is not. */
const MAX_HORIZON = 1_000_000;
/**
 * Steps every scenario runs at least: 256 past float16's last counter value 2^11, where
 * AdaGrad's accumulator of g^2 = 1/4 stalls in float16. It is the whole run in float32 and
 * bfloat16, whose edges of 0.9 come earlier. A counter frozen at 256 has left the bound by
 * then; one frozen at 2048 changes Adam's steps by about 1% over these 256 steps, which the
 * bound need not see.
 */
const MIN_HORIZON = 2048 + 256;
/** The steps where a counter held in bfloat16 or float16 stops (2^8, 2^11) and the step after. */
const COUNTER_STEPS = [256, 257, 512, 2048, 2049];

/** One long run: a configuration, a constant gradient, and where it is compared. */
export interface HorizonScenario {
  config: OptimizerConfig;
  options: HorizonOptions;
}

/** Whether `rule` has a long-horizon check: a closed form under a constant gradient (Nesterov's look-ahead has none here). */
export function hasLongHorizon(rule: OptimizerName): boolean {
  return rule !== 'nesterov';
}

/** The steps where `beta`'s powers change regime in `dtype`, finite ones only. */
function edgesOf(beta: number, dtype: Dtype): number[] {
  const e = horizonEdges(beta, dtype);
  return [e.biasSaturates, e.powerSubnormal, e.powerZero].filter(Number.isFinite);
}

/**
 * A scenario that runs past every edge of `betas` in `dtype` (and at least
 * {@link MIN_HORIZON} steps), compared at each edge, the step after it and the counters' steps.
 */
function scenario(
  config: OptimizerConfig,
  gradient: number[],
  betas: readonly number[],
  dtype: Dtype,
): HorizonScenario {
  const edges = betas.flatMap((b) => edgesOf(b, dtype));
  const horizon = Math.min(MAX_HORIZON, Math.max(MIN_HORIZON, ...edges.map((t) => t + 16)));
  const at = [...new Set([1, 2, ...COUNTER_STEPS, ...edges.flatMap((t) => [t, t + 1])])].sort((a, b) => a - b);
  return { config, options: { gradient, x0: [0.5, -1], at, horizon } };
}

/**
 * The long runs of `rule` in `dtype`. Only Adam forms powers of its decay factors (its
 * bias corrections), so only its runs are placed at their edges: the lecture's betas
 * (0.9, 0.999) past 2048, where a counter held in bfloat16 (256) or float16 (2048) has
 * stopped and 0.9's powers have saturated, turned subnormal and reached 0 in float32 and
 * bfloat16; and betas of 0.5, whose powers do all three within 1075 steps in every dtype
 * (the lecture's 0.999 needs 744761 in float64). Momentum's and RMSProp's state converges
 * long before; they run past the counters' steps. AdaGrad's gradient has squares that are
 * powers of two (0.25, 4), so its accumulator stalls exactly where a counter of the dtype would.
 */
export function longHorizonScenarios(rule: OptimizerName, dtype: Dtype): HorizonScenario[] {
  const g = [0.3, -2];
  switch (rule) {
    case 'sgd':
      return [scenario({ optimizer: 'sgd', learningRate: 1e-2 }, g, [], dtype)];
    case 'momentum':
      return [scenario({ optimizer: 'momentum', learningRate: 1e-2, rho: 0.9 }, g, [], dtype)];
    case 'adagrad':
      return [scenario({ optimizer: 'adagrad', learningRate: 1e-2, epsilon: LECTURE_EPSILON }, [0.5, -2], [], dtype)];
    case 'rmsprop':
      return [
        scenario({ optimizer: 'rmsprop', learningRate: 1e-3, decayRate: 0.9, epsilon: LECTURE_EPSILON }, g, [], dtype),
      ];
    case 'adam':
      return [
        scenario(
          { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: LECTURE_EPSILON },
          g,
          [0.9],
          dtype,
        ),
        scenario(
          { optimizer: 'adam', learningRate: 1e-3, beta1: 0.5, beta2: 0.5, epsilon: LECTURE_EPSILON },
          g,
          [0.5],
          dtype,
        ),
      ];
    case 'nesterov':
      return [];
  }
}

/** The long-horizon finding of an optimizer, and the known bug its failure shows. */
export interface HorizonOutcome {
  finding: Finding;
  bug?: KnownBugId;
}

const describeConfig = (config: OptimizerConfig): string =>
  Object.entries(config)
    .filter(([k]) => k !== 'optimizer')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/**
 * Whether the long runs judge an optimizer with this verdict: they compare with the
 * lecture's closed form, so only one that conforms on the shorter runs, or deviates by
 * `non-finite` alone (no finite constant gradient meets it). A failing one has its
 * counterexample already; one that follows another convention is not the closed form's.
 */
export function longHorizonApplies(
  verdict: 'conforms' | 'deviates' | 'fails',
  conventions: readonly ConventionId[],
): boolean {
  return verdict !== 'fails' && conventions.every((id) => id === 'non-finite');
}

/**
 * Runs the long-horizon scenarios of `rule` through the guarded adapter, after the
 * optimizer's other checks, where {@link longHorizonApplies} (undefined, and no finding,
 * where it does not). An adapter without a batched `steps` is `skipped` (a long run would
 * cost one call per step), a refused configuration too; an adapter error is an `error` finding.
 */
export async function longHorizonFinding(
  ctx: CheckContext,
  rule: OptimizerName,
  verdict: 'conforms' | 'deviates' | 'fails',
  conventions: readonly ConventionId[],
): Promise<HorizonOutcome | undefined> {
  const skipped = (why: string): HorizonOutcome => ({
    finding: { check: LONG_HORIZON_CHECK, status: 'skipped', message: `long horizon: skipped: ${why}` },
  });
  if (!longHorizonApplies(verdict, conventions)) return undefined;
  const dtype = ctx.adapter.dtype;
  const results: { scenario: HorizonScenario; result: HorizonResult }[] = [];
  for (const s of longHorizonScenarios(rule, dtype)) {
    let stepper: Awaited<ReturnType<typeof ctx.guard.createGuarded>>;
    try {
      stepper = await ctx.guard.createGuarded(s.config, s.options.x0);
    } catch (error) {
      if (error instanceof UnsupportedValue)
        return skipped(`the implementation refused ${rule} with ${describeConfig(s.config)}: ${error.message}`);
      if (error instanceof AdapterError)
        return { finding: { check: LONG_HORIZON_CHECK, status: 'error', message: error.message } };
      throw error;
    }
    try {
      if (!stepper.batched)
        return skipped(
          `unsupported: the adapter has no batched steps, and a run of ${s.options.horizon} steps would cost a call per step`,
        );
      const actual = await driveLongHorizon(stepper, s.options);
      results.push({ scenario: s, result: judgeLongHorizon(s.config, dtype, s.options, actual) });
    } catch (error) {
      if (error instanceof AdapterError)
        return { finding: { check: LONG_HORIZON_CHECK, status: 'error', message: error.message } };
      throw error;
    } finally {
      await stepper.dispose().catch(() => undefined);
    }
  }
  const failed = results.find((r) => !r.result.passed);
  if (failed === undefined) {
    const runs = results.map(
      (r) =>
        `${describeConfig(r.scenario.config)}: ${r.scenario.options.horizon} steps, compared at t = ${[...new Set(r.result.points.map((p) => p.t))].join(', ')}`,
    );
    return {
      finding: {
        check: LONG_HORIZON_CHECK,
        status: 'pass',
        message: `long horizon: a constant gradient, x within the derived bound of the closed form where ${dtype}'s powers of the decay factors saturate, turn subnormal and reach 0, and where a 16-bit counter stops (${runs.join('; ')})`,
      },
    };
  }
  const { scenario: s, result } = failed;
  const p = result.failure!;
  const bug = result.bug;
  return {
    finding: {
      check: LONG_HORIZON_CHECK,
      status: 'fail',
      message: `long horizon: ${rule} (${describeConfig(s.config)}) with the constant gradient [${s.options.gradient.join(', ')}] from x0 [${s.options.x0.join(', ')}]: at step ${p.t}, coordinate ${p.coordinate}, x is ${p.actual} where the closed form gives ${p.expected} within ${p.bound.toPrecision(3)}${bug === 'step-counter-saturates' ? "; every compared step matches Adam with its step counter frozen at a 16-bit dtype's last integer (step-counter-saturates)" : ''}`,
      ...(bug === undefined ? {} : { bug }),
      counterexample: {
        config: s.config,
        x0: [...s.options.x0],
        step: p.t,
        coordinate: p.coordinate,
        expected: p.expected,
        actual: p.actual,
        tolerance: `the closed form's bound after ${p.t} steps (src/conformance/long-horizon.ts, stepError): ${p.bound.toPrecision(3)}`,
      },
    },
    ...(bug === undefined ? {} : { bug }),
  };
}
