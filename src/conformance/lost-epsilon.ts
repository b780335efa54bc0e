import type { Subject } from '../laws/index.js';
import type { Conventions } from '../reference/index.js';
import { matchingAll } from './diagnose.js';
import { heldEpsilon, withHeldEpsilon } from './held-epsilon.js';
import { everyLawExplained, type LawOutcome } from './laws.js';
import { type Judged, judgedDtype } from './mixed-precision.js';
import type { ScenarioRun } from './run.js';
import type { Finding } from './types.js';

/** The run as the rule sees it with every instance's epsilon held in float16. */
function heldRun(run: ScenarioRun): ScenarioRun {
  return { ...run, instances: run.instances.map((i) => ({ ...i, config: withHeldEpsilon(i.config) })) };
}

/** What {@link epsilonLost} weighs: the subject's retained runs, its laws still failing, the conventions that explain the rest. */
export interface LostEpsilonEvidence {
  /** The adapter's dtype, or its mixed precision (src/conformance/mixed-precision.ts). */
  dtype: Judged;
  subject: Subject;
  runs: readonly ScenarioRun[];
  laws: readonly LawOutcome[];
  conventions: Conventions;
  /** Whether the implementation left what it was handed as it was (else a formula explains nothing). */
  unmodified: boolean;
}

/**
 * Whether the failures are a lost epsilon (src/conformance/held-epsilon.ts): a rule with epsilon (AdaGrad, RMSProp, Adam), some
 * run or failing law whose epsilon float16 does not hold, some run failing the rule, every retained run matching the rule
 * (with the conventions) at epsilon rounded to float16, and every failing law failing the same
 * way on the reference built so. Checked before the known bugs, which a lost epsilon mimics (a
 * zero learning rate "moves" x: to NaN, 0 * (0 / 0)).
 */
export async function epsilonLost(evidence: LostEpsilonEvidence): Promise<boolean> {
  const { dtype, subject, runs, laws, conventions } = evidence;
  if (!evidence.unmodified || !(subject === 'adagrad' || subject === 'rmsprop' || subject === 'adam')) return false;
  if (lostEpsilonOf(evidence) === undefined) return false;
  // Laws alone are weak evidence (a law fails on the model however it fails): a run must show it.
  if (matchingAll(runs, dtype, conventions)) return false;
  if (!matchingAll(runs.map(heldRun), dtype, conventions)) return false;
  return everyLawExplained(laws, judgedDtype(dtype), subject, { conventions, epsilonHeld: true });
}

/** The first epsilon float16 does not hold, of the runs and then of the failing laws' counterexamples; undefined when none. */
export function lostEpsilonOf(evidence: Pick<LostEpsilonEvidence, 'runs' | 'laws'>): number | undefined {
  const configs = [
    ...evidence.runs.flatMap((r) => r.instances.map((i) => i.config)),
    ...evidence.laws.map((o) => o.finding.counterexample?.config),
  ];
  for (const c of configs)
    if (c !== undefined && 'epsilon' in c && heldEpsilon(c.epsilon) !== c.epsilon) return c.epsilon;
  return undefined;
}

/**
 * A failing finding with the diagnosis in its message: `epsilon 1e-8 acts as 0`, for the epsilon
 * of its counterexample (or `fallback`, the subject's, where it has none).
 */
export function lostEpsilonFinding(finding: Finding, fallback: number | undefined): Finding {
  const config = finding.counterexample?.config;
  const epsilon = config !== undefined && 'epsilon' in config ? config.epsilon : fallback;
  const what =
    epsilon === undefined ? 'epsilon acts as a float16 value' : `epsilon ${epsilon} acts as ${heldEpsilon(epsilon)}`;
  return {
    ...finding,
    message: `${finding.message}; diagnosis: ${what} (lost epsilon: held in float16, as a float16 texture holds it; every run and failing law matches the rule with epsilon rounded to float16)`,
  };
}
